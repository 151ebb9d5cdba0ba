import Dispatch

/// Redraws a progress line on a terminal twice a second while long work runs; does nothing when stderr is
/// not a terminal (cron, pipes), so logs stay clean.
final class ProgressTicker {
    private let timer: (any DispatchSourceTimer)?

    init(render: @escaping @Sendable () -> String) {
        guard Terminal.isInteractive else {
            timer = nil
            return
        }
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now() + .milliseconds(500), repeating: .milliseconds(500))
        timer.setEventHandler { Terminal.progress(render()) }
        timer.resume()
        self.timer = timer
    }

    /// Stops redrawing and clears the line.
    func stop() {
        guard let timer else { return }
        timer.cancel()
        Terminal.endProgress()
    }
}
