import Dispatch
import Synchronization

/// Runs `count` independent jobs on up to `workers` threads with Dispatch; each job knows its worker index so it
/// can use that worker's own non-thread-safe state (an encoder, a buffer).
///
/// Workers claim the next job as they finish one, so callers that order jobs largest first get an even
/// spread even when job sizes differ by orders of magnitude (a busy email hour beside a quiet SMS one).
///
/// The one place the package shares memory across Dispatch's threads, and why it is safe: `map` gives each
/// job its own result slot (job `i` writes slot `i`, exactly once, and the array is read only after every
/// job returned), and `forEach(_:states:_:)` gives each worker its own state (a worker runs one job at a time,
/// and only its own jobs touch its state). Nothing else crosses threads, so callers need no unsafe code.
package enum Parallel {
    /// `body(worker, index)` for every index, results in index order.
    package static func map<T>(_ count: Int, workers: Int, _ body: (_ worker: Int, _ index: Int) -> T) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let slots = UncheckedSendable(buffer)
            forEach(count, workers: workers) { worker, index in
                (slots.value.baseAddress! + index).initialize(to: body(worker, index))
            }
            initialized = count
        }
    }

    /// Runs the jobs on `states.count` workers, each job with its worker's own state.
    package static func forEach<State>(_ count: Int, states: inout [State], _ body: (_ state: inout State, _ index: Int) -> Void) {
        states.withUnsafeMutableBufferPointer { buffer in
            let shared = UncheckedSendable(buffer)
            forEach(count, workers: buffer.count) { worker, index in body(&shared.value[worker], index) }
        }
    }

    package static func forEach(_ count: Int, workers: Int, _ body: (_ worker: Int, _ index: Int) -> Void) {
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

/// Carries a value into Dispatch's concurrent closure; `Parallel` guarantees each job or worker touches only
/// its own part of it.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
