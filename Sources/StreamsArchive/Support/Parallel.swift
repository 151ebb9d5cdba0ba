import Dispatch

/// Runs `count` independent jobs on up to `workers` threads with Dispatch; each job knows its worker index so it
/// can use that worker's own non-thread-safe state (an encoder, a buffer).
public enum Parallel {
    public static func forEach(_ count: Int, workers: Int, _ body: (_ worker: Int, _ index: Int) -> Void) {
        let workers = max(1, min(workers, count))
        guard workers > 1 else {
            for index in 0..<count { body(0, index) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let job = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for index in stride(from: worker, to: count, by: workers) { job.value(worker, index) }
            }
        }
    }
}

/// Carries a value into Dispatch's concurrent closure. Callers guarantee each worker touches only its own state.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
