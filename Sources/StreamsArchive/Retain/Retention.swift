/// `retain`: removes the raw partitions of dates older than N days, but only dates that are safe to lose.
///
/// A date goes only if every one of its hours that holds data is sealed (manifest, `_SUCCESS`, no file it
/// does not list, no writer inside) and `DerivedData` finds every one of its events accounted for by its
/// report (the batch side decides that: this layer knows nothing of reports). With the hours go the date's
/// rejected input and what `DerivedData` names (its timelines); its report stays, and `RetentionRecord` stays in the
/// date's directory, so late events that land on the date later are known to be late.
///
/// Never the only copy (`Shipping`): with a ship destination, a date goes only when every hour's `_SHIPPED.json`
/// confirms its current manifest at that destination, and its rejected input is shipped too; without one, raw
/// events are kept (and retain says why) unless the operator asks for `deleteUnshipped`.
///
/// Crash safety: the record names the files to remove (fsynced) before the first is unlinked, and counts the
/// removal only when all are gone; killed in between, the next holder of the seal lock finishes exactly that
/// removal (`finishInterrupted`). Concurrency: retain holds the seal lock for the whole run (no seal changes
/// an hour under it; it waits for a running one), and each hour's exclusive `PartitionLock` while removing
/// from it (readers see the hour whole or gone). It removes exactly the files it accounted for, then the
/// directories if nothing else is inside: a file a receiver creates meanwhile is never removed with them.
public enum Retention {
    /// What happened to one date past the cut-off.
    public struct Decision: Sendable {
        public let date: UTCDate
        /// The paths removed (or, in a dry run, that would be).
        public let paths: [String]
        /// Why a date past the cut-off is kept; nil when it goes.
        public let keptBecause: String?
    }

    /// What must hold of object storage before raw events go.
    public enum ShipPolicy: Sendable, Equatable {
        /// Every sealed hour and the rejected input confirmed at this destination (`s3://BUCKET/PREFIX`).
        case shippedTo(String)
        /// No destination: raw events are the only copy, so they stay.
        case keepUnshipped
        /// No destination, and the operator accepts losing the only copy.
        case deleteUnshipped
    }

    /// Removes every safe date older than `keepDays` before `now`'s date (nothing in a dry run), under the seal
    /// lock; returns a decision per date past the cut-off.
    public static func run(
        layout: ArchiveLayout, keepDays: Int, now: UTCInstant, dryRun: Bool, derived: some DerivedData, shipping: ShipPolicy
    ) throws -> [Decision] {
        let lock = try Sealer.waitForSealLock(layout: layout)
        return try withExtendedLifetime(lock) {
            if !dryRun { try finishInterrupted(layout: layout) }
            let cutoff = now.date.adding(days: -Int64(keepDays))
            let dates = Set(try ArchivePartitions.all(layout: layout).map(\.date)).filter { $0 < cutoff }.sorted()
            return dates.map { date in
                do {
                    return try decide(date, layout: layout, now: now, dryRun: dryRun, derived: derived, shipping: shipping)
                } catch {
                    return Decision(date: date, paths: [], keptBecause: "could not be checked: \(error)")
                }
            }
        }
    }

    private static func decide(
        _ date: UTCDate, layout: ArchiveLayout, now: UTCInstant, dryRun: Bool, derived: some DerivedData, shipping: ShipPolicy
    ) throws -> Decision {
        let partitions = try ArchivePartitions.all(layout: layout, date: date).map { try PartitionContents(key: $0, layout: layout) }
        if let unsealed = partitions.first(where: { !$0.isSealed && !$0.isEmpty }) {
            return Decision(date: date, paths: [], keptBecause: "\(unsealed.key.relativePath) is not sealed (run seal)")
        }
        if let reason = try derived.whyNotReported(date) {
            return Decision(date: date, paths: [], keptBecause: reason)
        }
        if let reason = try whyNotShipped(date, partitions: partitions, layout: layout, shipping: shipping) {
            return Decision(date: date, paths: [], keptBecause: reason)
        }
        var paths = partitions.map(\.path)
        paths += derived.removedWithRawEvents(date)
        if Directory.exists(layout.rejectedDirectory(date)) { paths.append(layout.rejectedDirectory(date)) }
        guard !dryRun else { return Decision(date: date, paths: paths, keptBecause: nil) }

        let sealed = partitions.compactMap(\.manifest).flatMap(\.files)
        let removal = RetentionRecord.Removal(
            removedAt: now, files: sealed.count, bytes: sealed.map(\.bytes).reduce(0, +), events: sealed.map(\.events).reduce(0, +)
        )
        let files = partitions.flatMap { partition in partition.finished.map(partition.key.relativePath(of:)) }
        let record = try RetentionRecord.read(layout: layout, date: date) ?? RetentionRecord(date: date)
        try write(record.starting(removal, paths: files), layout: layout)
        try finish(date, layout: layout, emptyHours: partitions.filter(\.isEmpty).map(\.path))
        for path in paths.dropFirst(partitions.count) { try Directory.removeTree(path) }
        return Decision(date: date, paths: paths, keptBecause: nil)
    }

    /// nil when `shipping` allows removing the date's raw events and rejected input; else why not.
    private static func whyNotShipped(_ date: UTCDate, partitions: [PartitionContents], layout: ArchiveLayout, shipping: ShipPolicy) throws -> String? {
        let destination: String
        switch shipping {
        case .deleteUnshipped:
            return nil
        case .keepUnshipped:
            return "no ship destination is set (--ship-to or STREAMS_SHIP_TO), so these raw events are the only copy: "
                + "ship them, or pass --delete-unshipped to remove them anyway"
        case .shippedTo(let url):
            destination = url
        }
        for partition in partitions where !partition.isEmpty {
            guard let manifest = partition.manifest, let record = try ShipRecord.read(in: partition.path), record.covers(manifest, destination: destination) else {
                return "\(partition.key.relativePath) is not confirmed at \(destination) (run ship)"
            }
        }
        let rejected = layout.rejectedDirectory(date)
        let names = Directory.exists(rejected) ? try Directory.entries(rejected).filter(ArchiveFileName.isFinished) : []
        if !names.isEmpty {
            let files = try names.map { name in (name: name, bytes: try POSIXFile.openForReading("\(rejected)/\(name)").size(), sha256: String?.none) }
            guard let record = try ShipRecord.read(in: rejected), record.covers(files, destination: destination) else {
                return "rejected/\(date.directoryName) is not confirmed at \(destination) (run ship)"
            }
        }
        return nil
    }

    /// Finishes every removal a killed `retain` left half done. The caller holds the seal lock.
    public static func finishInterrupted(layout: ArchiveLayout) throws {
        for date in try ArchivePartitions.dates(in: layout.eventsDirectory) where try RetentionRecord.read(layout: layout, date: date)?.pending != nil {
            try finish(date, layout: layout, emptyHours: [])
        }
    }

    /// Removes the pending files of `date`'s record, hour by hour under each hour's exclusive lock (its
    /// `_SUCCESS` and manifest first: they describe what goes), then the hour and channel directories if
    /// nothing else is inside, then records the removal as done.
    private static func finish(_ date: UTCDate, layout: ArchiveLayout, emptyHours: [String]) throws {
        guard let record = try RetentionRecord.read(layout: layout, date: date), let pending = record.pending else { return }
        let byHour = Dictionary(grouping: pending.paths) { Directory.parentPath(of: layout.path(relative: $0)) }
        for hour in Set(byHour.keys).union(emptyHours).sorted() where Directory.exists(hour) {
            try PartitionLock.exclusive(hour) {
                try SealManifest.removeMarkers(in: hour)
                try Directory.removeFile("\(hour)/\(ArchiveFileName.shipped)")
                for path in byHour[hour] ?? [] { try Directory.removeFile(layout.path(relative: path)) }
                try Directory.sync(hour)
            }
            if try Directory.removeIfEmpty(hour) { try Directory.removeIfEmpty(Directory.parentPath(of: hour)) }
        }
        try write(record.finished(), layout: layout)
    }

    /// Replaces the record atomically and durably (the date directory is fsynced).
    private static func write(_ record: RetentionRecord, layout: ArchiveLayout) throws {
        let path = layout.retentionRecord(record.date)
        try AtomicFile.write(record.render(), to: path)
        try Directory.sync(Directory.parentPath(of: path))
    }
}
