import Dispatch
import Foundation
import StreamsArchive
import Synchronization
import Testing

/// `BackgroundSync`: the threads seal and timelines hand their fsyncs to. Jobs sleep or wait on a gate, so the
/// body returns long before the threads are done and `run` has to wait for them.
@Suite("background sync")
struct BackgroundSyncTests {
    private struct Failed: Error, Equatable { let job: Int }

    /// What the jobs did, seen from the test's thread.
    private final class Ran: Sendable {
        let jobs = Mutex<[Int]>([])
        var all: [Int] { jobs.withLock { $0 } }
        func add(_ job: Int) { jobs.withLock { $0.append(job) } }
    }

    /// A flag set on one thread and read on another.
    private final class Flag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }
    }

    /// How many jobs run at once, and whether that was ever more than one.
    private final class Running: Sendable {
        private let count = Mutex(0)
        let overlapped = Flag()
        func enter() { if count.withLock({ $0 += 1; return $0 }) > 1 { overlapped.set() } }
        func leave() { count.withLock { $0 -= 1 } }
    }

    @Test("when run returns, every job submitted has run, one at a time and in the order submitted")
    func runsEveryJobInOrder() {
        let ran = Ran()
        let running = Running()
        let (count, failures) = BackgroundSync.run(queues: 1, capacity: 3) { syncs in
            for job in 0..<40 {
                syncs[0].submit(tag: job) {
                    running.enter()
                    usleep(1000)
                    ran.add(job)
                    running.leave()
                }
            }
            return 40
        }
        #expect(failures.isEmpty)
        #expect(!running.overlapped.isSet)
        #expect(ran.all == Array(0..<count))
    }

    @Test("submit waits while capacity jobs are queued or running, and goes on when one ends")
    func submitWaitsAtCapacity() {
        let gate = DispatchSemaphore(value: 0)
        let thirdQueued = Flag()
        let ran = Ran()
        _ = BackgroundSync.run(queues: 1, capacity: 2) { syncs in
            syncs[0].submit(tag: 0) {
                gate.wait()
                ran.add(0)
            }
            syncs[0].submit(tag: 1) { ran.add(1) }
            let submitter = DispatchSemaphore(value: 0)
            Thread {
                syncs[0].submit(tag: 2) { ran.add(2) }
                thirdQueued.set()
                submitter.signal()
            }.start()
            usleep(100_000)
            // Job 0 runs and job 1 waits: the third submit cannot have returned, however long this took.
            #expect(!thirdQueued.isSet)
            gate.signal()
            submitter.wait()
        }
        #expect(thirdQueued.isSet)
        #expect(ran.all == [0, 1, 2])
    }

    @Test("a job waiting on one queue holds up only that queue's later jobs")
    func queuesRunApart() {
        let gate = DispatchSemaphore(value: 0)
        let ran = Ran()
        _ = BackgroundSync.run(queues: 2, capacity: 2) { syncs in
            syncs[0].submit(tag: 0) {
                gate.wait()
                ran.add(0)
            }
            let done = DispatchSemaphore(value: 0)
            syncs[1].submit(tag: 1) {
                ran.add(1)
                done.signal()
            }
            done.wait()  // would never return if queue 1's job waited behind queue 0's
            gate.signal()
        }
        #expect(ran.all == [1, 0])
    }

    @Test("a job that throws comes back with its tag, and the jobs after it still run")
    func failuresCarryTheirTag() {
        let ran = Ran()
        let (_, failures) = BackgroundSync.run(queues: 1, capacity: 2) { syncs in
            for job in 0..<10 {
                syncs[0].submit(tag: job) {
                    ran.add(job)
                    if job == 3 || job == 7 { throw Failed(job: job) }
                }
            }
        }
        #expect(ran.all == Array(0..<10))
        #expect(failures.map(\.tag) == [3, 7])
        #expect(failures.map { $0.error as? Failed } == [Failed(job: 3), Failed(job: 7)])
    }

    @Test("a body that throws gets its error to the caller only after the jobs it submitted have run")
    func throwingBodyStillWaits() {
        let ran = Ran()
        #expect(throws: Failed(job: -1)) {
            _ = try BackgroundSync.run(queues: 1, capacity: 4) { syncs in
                for job in 0..<8 {
                    syncs[0].submit(tag: job) {
                        usleep(2000)
                        ran.add(job)
                    }
                }
                throw Failed(job: -1)
            }
        }
        #expect(ran.all == Array(0..<8))
    }
}
