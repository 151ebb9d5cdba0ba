import Glibc
import Logging
import NIOCore
import StreamsArchive

/// On the listening channel: when accepting fails for lack of descriptors or kernel memory (EMFILE, ENFILE,
/// ENOBUFS, ENOMEM), stops watching the listening socket for `pause`, then accepts again.
///
/// Why NIO's own `AcceptBackoffHandler` (which `ServerBootstrap` installs) does not help: it only delays the next
/// `read()` it is asked for, but NIOPosix's `ServerSocketChannel` clears its pending read only when an accept
/// succeeds, so after a failed accept no `read()` is ever asked for; the socket stays registered and, epoll being
/// level-triggered, it wakes the event loop again at once: accept fails, again and again, a full core, until a
/// descriptor frees up. Turning `autoRead` off unregisters the socket (no wake-ups); turning it back on after the
/// pause registers it again. Connections meanwhile wait in the kernel's backlog. This handler replaces NIO's, so
/// that one pause, not two, applies. It logs the first failure of a run and then at most every 10 s; it holds no
/// resource and a crash of the server loses only the backlog, as any crash does.
final class AcceptPauseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = any NIOCore.Channel

    static let pause: TimeAmount = .milliseconds(200)
    static let logInterval: TimeAmount = .seconds(10)

    private let pause: TimeAmount
    private let logger: Logger
    private var resume: Scheduled<Void>?
    private var lastLogged: NIODeadline?
    private var failuresSinceLog = 0

    init(pause: TimeAmount = AcceptPauseHandler.pause, logger: Logger) {
        self.pause = pause
        self.logger = logger
    }

    /// Installs the handler first on the listening `channel`, in place of NIO's `AcceptBackoffHandler`.
    static func install(on channel: any NIOCore.Channel, logger: Logger) async {
        do {
            try await channel.eventLoop.submit {
                let pipeline = channel.pipeline.syncOperations
                try pipeline.addHandler(AcceptPauseHandler(logger: logger), position: .first)
                if let backoff = try? pipeline.handler(type: AcceptBackoffHandler.self) {
                    pipeline.removeHandler(backoff, promise: nil)
                }
            }.get()
        } catch {
            logger.warning("could not install the accept pause; out of descriptors, accept may spin", metadata: ["error": "\(error)"])
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errnoCode) {
            pauseAccepting(context, error)
            return
        }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        resume?.cancel()
        resume = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        resume?.cancel()
        resume = nil
    }

    private func pauseAccepting(_ context: ChannelHandlerContext, _ error: IOError) {
        failuresSinceLog += 1
        let now = NIODeadline.now()
        if lastLogged.map({ now - $0 >= Self.logInterval }) ?? true {
            logger.warning(
                "cannot accept connections: \(String(cString: strerror(error.errnoCode))); pausing accept",
                metadata: ["accept.failures": "\(failuresSinceLog)", "accept.pause_ms": "\(pause.nanoseconds / 1_000_000)"]
            )
            lastLogged = now
            failuresSinceLog = 0
        }
        guard resume == nil else { return }
        setAutoRead(context, false)
        resume = context.eventLoop.assumeIsolated().scheduleTask(in: pause) {
            self.resume = nil
            self.setAutoRead(context, true)
        }
    }

    private func setAutoRead(_ context: ChannelHandlerContext, _ on: Bool) {
        if let options = context.channel.syncOptions {
            try? options.setOption(ChannelOptions.autoRead, value: on)
        } else {
            context.channel.setOption(ChannelOptions.autoRead, value: on).whenFailure { _ in }
        }
    }
}
