import Dispatch
import Synchronization

/// Runs `count` independent jobs on up to `workers` threads with Dispatch; each job knows its worker index so it
/// can use that worker's own non-thread-safe state (an encoder, a buffer).
///
/// Workers claim the next job as they finish one, so callers that order jobs largest first get an even
/// spread even when job sizes differ by orders of magnitude (a busy email hour beside a quiet SMS one).
public enum Parallel {
    public static func forEach(_ count: Int, workers: Int, _ body: (_ worker: Int, _ index: Int) -> Void) {
        let workers = max(1, min(workers, count))
        guard workers > 1 else {
            for index in 0..<count { body(0, index) }
            return
        }
        let next = JobCounter()
        withoutActuallyEscaping(body) { body in
            let job = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                while case let index = next.claim(), index < count { job.value(worker, index) }
            }
        }
    }
}

/// The index of the next unclaimed job, shared by the workers of one `Parallel.forEach`.
private final class JobCounter: Sendable {
    private let next = Atomic<Int>(0)

    func claim() -> Int { next.add(1, ordering: .relaxed).oldValue }
}

/// Carries a value into Dispatch's concurrent closure. Callers guarantee each worker touches only its own state.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
