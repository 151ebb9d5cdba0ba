import Glibc
import StreamsArchive

/// Builds ROOT/timelines/date=D/: every uid's events of the day, deduplicated, in (event_time, event_uuid)
/// order, bucketed by uid so a lookup reads one small part.
///
/// 1. Read the day's partitions in parallel (each event_uuid once) and spill each event, as a record with its
///    sort fields (`TimelineSpill`), to its uid's bucket.
/// 2. Sort and write the buckets, one per worker at a time, into a hidden versioned directory.
/// 3. Publish: `date=D` is a symbolic link, switched atomically to the new version; the old one is removed.
///
/// Memory is bounded by the spill buffers and one bucket per worker, not by the day; a bucket larger than its
/// worker's share of the memory budget is sorted through runs on disk (`BucketWriter`), with the same files. A crash at any point
/// leaves the published version (or none) in view, never a half-written one; leftovers are removed by the
/// next build, which holds a lock so two builds of one date never meet.
public enum TimelineBuilder {
    /// What one build wrote.
    public struct Summary: Sendable {
        public let date: UTCDate
        public let directory: String
        public let buckets: Int
        public let events: Int
        public let users: Int
        public let duplicates: Int
        public let withoutUID: Int
        public let files: [ScannedFile]
        public let damage: [FileDamage]
        public let bytesWritten: Int64
        /// Buckets larger than their share of the memory budget, sorted through runs on disk.
        public var spilledBuckets = 0
    }

    /// libdeflate's level for timeline members: timelines are derived data, rebuilt from the partitions, so
    /// speed first; level 1 is nearly 3 times zlib level 1's speed and 11% smaller (docs/TIMELINES.md).
    public static let level: Int32 = 1

    /// Builds and publishes `date`'s timelines (see the type's comment); refuses a date retention removed and a
    /// date another build holds (`TimelineError.busy`).
    public static func build(
        layout: ArchiveLayout, date: UTCDate, workers: Int = System.coreCount, memoryBudget: MemoryBudget = .machineDefault,
        progress: ReadProgress? = nil
    ) throws -> Summary {
        let build = try Build(layout: layout, date: date)
        let (files, buckets, outcome) = try DayScan.withFiles(layout: layout, date: date, includeOpen: false) { files in
            let buckets = try build.buckets(for: files)
            var worker = 0
            // Alone, the read's spill buffers may take each worker's whole share: they are given back before
            // the buckets are sorted in it.
            var outcome = DayReader.read(files, plan: TimelineSpill.plan, workers: workers, progress: progress) {
                defer { worker += 1 }
                return build.spill(worker: worker, of: workers, buckets: buckets, bufferBytes: memoryBudget.share(workers))
            } enter: { _, _ in
            } visit: { spill, event in
                spill.add(event)
            }
            try TimelineSpill.finish(&outcome.accumulators)
            return (files, buckets, outcome)
        }
        return try build.finish(
            buckets: buckets, spills: outcome.accumulators, files: files, duplicates: outcome.duplicates, damage: outcome.damage,
            workers: workers, budget: memoryBudget
        )
    }

    /// One build of a date's timelines, in the three phases of the type's comment: made (lock taken, leftovers
    /// removed), fed by a read of the day (`spill`, one per read worker), then finished (buckets written,
    /// published). What `build` does, and what the nightly run does while the same read feeds the report.
    struct Build {
        let layout: ArchiveLayout
        let date: UTCDate
        /// Held until the build is published or abandoned: two builds of one date never meet.
        private let lock: POSIXFile
        private let parent: String
        private let version: String
        private let directory: String
        private let spillDirectory: String

        init(layout: ArchiveLayout, date: UTCDate) throws {
            try DayAccounting.requireWholeDay(layout: layout, date: date)
            self.layout = layout
            self.date = date
            parent = layout.timelinesDirectory
            try Directory.create(parent)
            lock = try POSIXFile.openForAppending("\(parent)/.date=\(date).lock")
            guard try lock.tryLockExclusive() else { throw TimelineError.busy(date: date.description) }
            try TimelineBuilder.removeLeftovers(parent: parent, date: date, keep: Directory.linkTarget(layout.timelineDirectory(date)))
            version = ".date=\(date).v\(SystemClock().now().millisecondsSinceEpoch)-\(getpid())"
            directory = "\(parent)/\(version)"
            spillDirectory = "\(directory)/.spill"
        }

        /// The buckets for a day of `files`; makes the spill directory.
        func buckets(for files: [ScannedFile]) throws -> TimelineBuckets {
            try Directory.create(spillDirectory)
            return TimelineBuckets(forCompressedBytes: files.map(\.bytes).reduce(0, +))
        }

        /// Read worker `worker`'s spill (of `workers`), its buffers holding `bufferBytes` at most, reading fields by
        /// `plan`'s slots.
        func spill(worker: Int, of workers: Int, buckets: TimelineBuckets, bufferBytes: Int, plan: FieldPlan = TimelineSpill.plan) -> TimelineSpill {
            TimelineSpill(
                directory: spillDirectory, worker: worker, buckets: buckets, bufferBytes: bufferBytes, plan: plan,
                descriptors: System.descriptorLimit / 2 / max(1, workers)
            )
        }

        /// Sorts and writes the buckets the read workers' `spills` filled, and publishes the new version.
        func finish(
            buckets: TimelineBuckets, spills: [TimelineSpill], files: [ScannedFile], duplicates: Int, damage: [FileDamage], workers: Int,
            budget: MemoryBudget
        ) throws -> Summary {
            var spills = spills
            try TimelineSpill.finish(&spills)
            let written = try writeBuckets(
                buckets, spill: spillDirectory, batchMemory: spills.map(\.batchMemory), into: directory, parallelism: workers, budget: budget
            )
            try Directory.removeTree(spillDirectory)
            let link = layout.timelineDirectory(date)
            var summary = Summary(
                date: date, directory: link, buckets: buckets.count, events: written.events, users: written.users,
                duplicates: duplicates, withoutUID: spills.map(\.withoutUID).reduce(0, +), files: files, damage: damage,
                bytesWritten: written.bytes
            )
            summary.spilledBuckets = written.spilledBuckets
            try AtomicFile.write(TimelineManifest.render(summary, root: layout.root), to: "\(directory)/\(TimelineManifest.fileName)")
            try Directory.sync(directory)
            if let previous = try Directory.publishLink(link, to: version), previous != version {
                try Directory.removeTree("\(parent)/\(previous)")
            }
            return summary
        }
    }

    private static func writeBuckets(
        _ buckets: TimelineBuckets, spill: String, batchMemory: [[Int64]], into directory: String, parallelism: Int, budget: MemoryBudget
    ) throws -> BucketWriter.Written {
        /// A worker's writer, with the sum of what its buckets wrote and its first failure.
        struct Worker {
            let index: Int
            var writer: BucketWriter
            var total = BucketWriter.Written()
            var failure: (bucket: Int, error: any Error)?
        }
        var states = try (0..<max(1, parallelism)).map { Worker(index: $0, writer: BucketWriter(compressor: try WholeMemberCompressor(level: level))) }
        let share = budget.share(states.count)
        // Each bucket's fsyncs run behind its worker, on a thread of the worker's own, while the worker goes on to
        // the next bucket; all are done before the version is published.
        let (_, syncFailures) = BackgroundSync.run(queues: states.count, capacity: 4) { syncs in
            Parallel.forEach(buckets.count, states: &states) { (state: inout Worker, bucket: Int) in
                guard state.failure == nil else { return }
                do {
                    // A read worker made a bucket's file exactly when it spilled records to it.
                    let spilled = batchMemory.indices.filter { batchMemory[$0][bucket] > 0 }
                    let paths = spilled.map { "\(spill)/\(TimelineSpill.fileName(bucket: bucket, worker: $0))" }
                    defer { for path in paths { try? Directory.removeFile(path) } }
                    let written = try state.writer.write(
                        paths, memory: spilled.map { batchMemory[$0][bucket] }.reduce(0, +), budget: share, scratchDirectory: spill, runName: "b\(bucket).runs",
                        dataPath: "\(directory)/\(TimelineBuckets.dataName(bucket))", indexPath: "\(directory)/\(TimelineBuckets.indexName(bucket))",
                        sync: syncs[state.index], tag: bucket
                    )
                    state.total.add(written)
                } catch {
                    state.failure = (bucket, error)
                }
            }
        }
        let failures = states.compactMap(\.failure) + syncFailures.map { (bucket: $0.tag, error: $0.error) }
        if let failure = failures.min(by: { $0.bucket < $1.bucket }) { throw failure.error }
        var total = BucketWriter.Written()
        for state in states { total.add(state.total) }
        return total
    }

    /// Removes versions and temporary links of `date` left by an interrupted build, except the published one.
    private static func removeLeftovers(parent: String, date: UTCDate, keep: String?) throws {
        for name in try Directory.entries(parent) where name.hasPrefix(".date=\(date).") && !name.hasSuffix(".lock") && name != keep {
            try Directory.removeTree("\(parent)/\(name)")
        }
    }
}
