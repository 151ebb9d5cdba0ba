import Logging

/// `seal`: every hour closed for longer than the grace period and not being written is compacted.
///
/// One seal runs per root at a time (an flock on `ROOT/_seal.lock`: a second one gives way, or waits when asked,
/// as the nightly run does); receivers need no coordination beyond
/// what they already do: they only ever add new files, a seal takes only the finished files it listed, and
/// an hour with a file still being written is left for the next run. Hours are sealed in parallel.
public enum Sealer {
    /// What one seal run did, over every hour it looked at.
    public struct Summary: Sendable {
        public var sealed = 0
        public var alreadySealed = 0
        /// Closed hours left alone because a receiver is still writing into them.
        public var beingWritten = 0
        public var failures: [(partition: String, message: String)] = []
        public var eventsIn = 0
        public var eventsOut = 0
        public var duplicates = 0
        public var bytesIn: Int64 = 0
        public var bytesOut: Int64 = 0
        /// Hours larger than their share of the memory budget, sorted through runs spilled to disk.
        public var spilled = 0
        /// Dates that had an hour sealed.
        public var dates = Set<UTCDate>()
    }

    public static let lockName = "_seal.lock"

    /// Seals every hour that closed more than `grace` before `now`, `workers` at a time, under `_seal.lock`
    /// (busy: `SealError.busy`, or wait with `waitForOtherSeal`). An hour that fails is left as it was and listed.
    public static func run(
        layout: ArchiveLayout, grace: Duration, now: UTCInstant, workers: Int = System.coreCount, memoryBudget: MemoryBudget = .machineDefault,
        waitForOtherSeal: Bool = false, logger: Logger
    ) throws -> Summary {
        try Directory.create(layout.root)
        let lock = try POSIXFile.openForAppending(layout.lock(lockName))
        if try !lock.tryLockExclusive() {
            // The hourly job gives way (exit 75); the nightly run waits, then seals what is left.
            guard waitForOtherSeal else { throw SealError.busy(root: layout.root) }
            logger.info("another seal is running; waiting for it to finish")
            try lock.lock(exclusive: true)
        }
        return try withExtendedLifetime(lock) {
            try sealClosedHours(layout: layout, grace: grace, now: now, workers: workers, memoryBudget: memoryBudget, logger: logger)
        }
    }

    /// Takes the seal lock, waiting for a running seal or retain: what retain holds for its whole run.
    package static func waitForSealLock(layout: ArchiveLayout) throws(StorageError) -> POSIXFile {
        let lock = try POSIXFile.openForAppending(layout.lock(lockName))
        try lock.lock(exclusive: true)
        return lock
    }

    private static func sealClosedHours(
        layout: ArchiveLayout, grace: Duration, now: UTCInstant, workers: Int, memoryBudget: MemoryBudget, logger: Logger
    ) throws -> Summary {
        // A removal a killed retain left half done is finished before any hour of its date could be merged.
        try Retention.finishInterrupted(layout: layout)
        _ = try ArchiveRecovery.recover(layout: layout, logger: logger)
        let closed = try ArchivePartitions.all(layout: layout).filter { $0.hourEndsAt + grace <= now }
        // Never more sealers than hours to seal or cores to run them; each compresses a large hour on every core.
        let root = try RootIdentity.establish(layout: layout)
        let count = max(1, min(workers, closed.count, System.coreCount))
        let sealers = try (0..<count).map { _ in try PartitionSealer(root: root, memoryBudget: memoryBudget.share(count)) }
        // Each hour's commit (fsync, manifest, rename, markers) runs behind its sealer, on a thread of the sealer's
        // own, while the sealer goes on to the next hour.
        let (sealed, commitFailures) = BackgroundSync.run(queues: count, capacity: 2) { commits in
            Parallel.map(closed.count, workers: sealers.count) { worker, index in
                Result { () throws -> PartitionSealer.Outcome? in
                    var partition = try PartitionContents(key: closed[index], layout: layout)
                    if partition.isEmpty {
                        // No data left (a receiver's rolled-back create, a killed removal): only markers to tidy.
                        try PartitionLock.exclusive(partition.path) { try SealManifest.removeMarkers(in: partition.path) }
                        try Directory.removeIfEmpty(partition.path)
                        return PartitionSealer.Outcome()
                    }
                    if !partition.isSealed {
                        try PartitionLock.exclusive(partition.path) { try PartitionSealer.recover(partition) }
                        partition = try PartitionContents(key: closed[index], layout: layout)
                    }
                    guard partition.inProgress.isEmpty else { return nil }
                    let (outcome, commit) = try sealers[worker].seal(partition, now: now)
                    if let commit { commits[worker].submit(tag: index) { try commit.run() } }
                    return outcome
                }
            }
        }
        var results = sealed
        for failure in commitFailures { results[failure.tag] = .failure(failure.error) }
        var summary = Summary()
        for (key, result) in zip(closed, results) {
            switch result {
            case .success(nil): summary.beingWritten += 1
            case .success(let outcome?) where !outcome.sealed: summary.alreadySealed += 1
            case .success(let outcome?):
                summary.sealed += 1
                summary.dates.insert(key.date)
                summary.eventsIn += outcome.eventsIn
                summary.eventsOut += outcome.eventsOut
                summary.duplicates += outcome.duplicates
                summary.bytesIn += outcome.bytesIn
                summary.bytesOut += outcome.bytesOut
                if outcome.spilled { summary.spilled += 1 }
            case .failure(let error): summary.failures.append((key.relativePath, "\(error)"))
            }
        }
        return summary
    }
}
