/// `retain`: removes the raw partitions of dates older than N days, but only dates that are safe to lose.
///
/// A date goes only if every one of its hours is sealed (manifest, `_SUCCESS`, no file it does not list,
/// no writer inside) and the caller's `whyNotReported` finds every one of its events accounted for by its
/// report (the batch side decides that: this layer knows nothing of reports). Before anything is removed,
/// `RetentionRecord` is written into the date's directory and kept, so late events that land on the date
/// later are known to be late. With the hours go the date's timelines and rejected input; its report stays.
public enum Retention {
    public struct Decision: Sendable {
        public let date: UTCDate
        /// The paths removed (or, in a dry run, that would be).
        public let paths: [String]
        /// Why a date past the cut-off is kept; nil when it goes.
        public let keptBecause: String?
    }

    /// - Parameter whyNotReported: nil when the date's report accounts for every file it has now, else the
    ///   reason to keep it, saying what to run.
    public static func run(
        layout: ArchiveLayout, keepDays: Int, nowMillis: Int64, dryRun: Bool, whyNotReported: (UTCDate) throws -> String?
    ) throws -> [Decision] {
        let cutoff = UTCDate(epochSeconds: nowMillis / 1000).adding(days: -Int64(keepDays))
        let dates = Set(try ArchivePartitions.all(layout: layout).map(\.date)).filter { $0 < cutoff }.sorted()
        var decisions: [Decision] = []
        for date in dates {
            let partitions = try ArchivePartitions.all(layout: layout, date: date).map { try SealedPartition(key: $0, layout: layout) }
            if let unsealed = partitions.first(where: { !$0.isSealed }) {
                decisions.append(Decision(date: date, paths: [], keptBecause: "\(unsealed.key.relativePath) is not sealed (run seal)"))
                continue
            }
            if let reason = try whyNotReported(date) {
                decisions.append(Decision(date: date, paths: [], keptBecause: reason))
                continue
            }
            var paths = partitions.map(\.path)
            let timelines = layout.timelineDirectory(date)
            if let version = Directory.linkTarget(timelines) { paths += [timelines, "\(layout.root)/timelines/\(version)"] }
            if Directory.exists("\(layout.rejectedDirectory)/date=\(date)") { paths.append("\(layout.rejectedDirectory)/date=\(date)") }
            if !dryRun {
                let sealed = partitions.compactMap(\.manifest).flatMap(\.files)
                let removal = RetentionRecord.Removal(
                    removedAtMillis: nowMillis, files: sealed.count, bytes: sealed.map(\.bytes).reduce(0, +), events: sealed.map(\.events).reduce(0, +)
                )
                let record = try RetentionRecord.read(layout: layout, date: date) ?? RetentionRecord(date: date)
                let recordPath = RetentionRecord.path(layout: layout, date: date)
                try AtomicFile.write(record.adding(removal).render(), to: recordPath)
                try Directory.sync(Directory.parentPath(of: recordPath))
                for partition in partitions { try remove(partition) }
                for path in paths.dropFirst(partitions.count) { try Directory.removeTree(path) }
                try Directory.sync(Directory.parentPath(of: recordPath))
            }
            decisions.append(Decision(date: date, paths: paths, keptBecause: nil))
        }
        return decisions
    }

    /// Removes exactly the files the sealed hour's listing named, then the hour and channel directories if
    /// nothing else is inside: a file a receiver creates meanwhile (a late event) is never removed with them.
    private static func remove(_ partition: SealedPartition) throws {
        for name in partition.finished + [SealManifest.fileName, SealManifest.successName] {
            try Directory.removeFile("\(partition.path)/\(name)")
        }
        if try Directory.removeIfEmpty(partition.path) { try Directory.removeIfEmpty(Directory.parentPath(of: partition.path)) }
    }
}
