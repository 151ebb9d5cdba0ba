import Foundation
import Synchronization

/// Runs `count` jobs on `workers` threads of their own, for work that waits on the network. Dispatch's
/// `concurrentPerform` runs at most one job per core, which would keep only two uploads in flight on this
/// machine while each thread sleeps on a socket; these threads are made for the call and joined before it
/// returns. Jobs are claimed in index order, so callers put the largest first.
enum BlockingWorkers {
    static func forEach(_ count: Int, workers: Int, _ body: @escaping @Sendable (_ index: Int) -> Void) {
        let workers = max(1, min(workers, count))
        guard workers > 1 else {
            for index in 0..<count { body(index) }
            return
        }
        let next = JobCounter()
        let finished = DispatchSemaphore(value: 0)
        for _ in 0..<workers {
            let thread = Thread {
                while case let index = next.claim(), index < count { body(index) }
                finished.signal()
            }
            thread.start()
        }
        for _ in 0..<workers { finished.wait() }
    }

    private final class JobCounter: Sendable {
        private let next = Atomic<Int>(0)
        func claim() -> Int { next.add(1, ordering: .relaxed).oldValue }
    }
}
