import Dispatch
import Foundation
import Synchronization

/// Durability work, an fsync and the steps that must follow it, run on a thread of its own in the order it was
/// submitted, so the workers that wrote the files go on computing while the disk catches up.
///
/// A step that fsyncs each file it writes leaves a core idle for every fsync: about seven per sealed hour and
/// two per timelines bucket, close to two thousand a night on the 1M-event day, a millisecond or so each;
/// seal and timelines used 1.78 of the 2 cores for it (docs/PERFORMANCE.md). Here the wait happens beside
/// the work instead. `run` gives each worker a queue and a thread of its own, so a job that waits (for an
/// hour's lock a reader holds, say) holds up only its worker's later jobs, as the worker itself waited before.
/// Invariants: a queue runs its jobs one at a time, in submission order; `submit` blocks while `capacity` jobs
/// are queued or running, so what they hold (open files, a manifest) stays bounded; `run` returns only after
/// every submitted job has run, with each failure and the tag it was submitted with, and a queue takes no job
/// after that. So a caller publishes (writes a manifest, switches a link) after `run` returns without
/// failures, as it did after its own fsyncs. A crash loses only jobs not yet run, as a crash before their
/// fsyncs would: the callers' recovery already handles that.
package final class BackgroundSync: Sendable {
    package typealias Job = @Sendable () throws -> Void

    /// A job that threw, with the tag it was submitted with (an hour's index, a bucket).
    package struct Failure: Sendable {
        package let tag: Int
        package let error: any Error
    }

    private struct State {
        var jobs: [(tag: Int, job: Job)] = []
        var failures: [Failure] = []
        /// `run` has returned, or is draining: no more jobs.
        var closed = false
    }

    private let state = Mutex(State())
    /// Signalled once per job submitted, and once more when the body is done.
    private let submitted = DispatchSemaphore(value: 0)
    private let room: DispatchSemaphore
    private let drained = DispatchSemaphore(value: 0)

    private init(capacity: Int) {
        room = DispatchSemaphore(value: max(1, capacity))
    }

    /// Runs `body` with `queues` queues (one per worker), each running its jobs behind it on a thread of its own,
    /// at most `capacity` queued or running at a time; returns `body`'s result and the jobs' failures once
    /// every submitted job has run. If `body` throws, the jobs it submitted still run before its error is
    /// rethrown.
    package static func run<T>(queues: Int, capacity: Int, _ body: ([BackgroundSync]) throws -> T) rethrows -> (result: T, failures: [Failure]) {
        let syncs = (0..<max(1, queues)).map { _ in BackgroundSync(capacity: capacity) }
        for sync in syncs { Thread { sync.work() }.start() }
        let result: T
        do {
            result = try body(syncs)
        } catch {
            for sync in syncs { _ = sync.drain() }
            throw error
        }
        return (result, syncs.flatMap { $0.drain() })
    }

    /// Queues `job`, waiting while `capacity` jobs are queued or running. Callable from any thread inside
    /// `run`'s body, never after it.
    package func submit(tag: Int, _ job: @escaping Job) {
        precondition(!state.withLock { $0.closed }, "BackgroundSync.submit after run returned")
        room.wait()
        state.withLock { $0.jobs.append((tag, job)) }
        submitted.signal()
    }

    /// Waits until every job has run (the body has returned: nothing more is submitted); their failures.
    private func drain() -> [Failure] {
        state.withLock { $0.closed = true }
        submitted.signal()
        drained.wait()
        return state.withLock { $0.failures }
    }

    private func work() {
        while true {
            submitted.wait()
            // One signal per job, and the body's end after the last: an empty queue means the end.
            guard let next = state.withLock({ $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }) else {
                drained.signal()
                return
            }
            do {
                try next.job()
            } catch {
                state.withLock { $0.failures.append(Failure(tag: next.tag, error: error)) }
            }
            room.signal()
        }
    }
}
