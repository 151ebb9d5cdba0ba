/// `retain`: removes the raw partitions of dates older than N days, but only dates that are safe to lose.
///
/// A date goes only if every one of its hours is sealed (manifest, `_SUCCESS`, no file it does not list,
/// no writer inside) and its campaign report is complete (`reports/date=D/_SUCCESS`). With it go its
/// timelines and its rejected input; its report stays (it is small, and the record of the day).
public enum Retention {
    public struct Decision: Sendable {
        public let date: UTCDate
        /// The paths removed (or, in a dry run, that would be).
        public let paths: [String]
        /// Why a date past the cut-off is kept; nil when it goes.
        public let keptBecause: String?
    }

    public static func run(layout: ArchiveLayout, keepDays: Int, today: UTCDate, dryRun: Bool) throws -> [Decision] {
        let cutoff = today.adding(days: -Int64(keepDays))
        let dates = Set(try ArchivePartitions.all(layout: layout).map(\.date)).filter { $0 < cutoff }.sorted()
        var decisions: [Decision] = []
        for date in dates {
            let unsealed = try ArchivePartitions.all(layout: layout, date: date).first { !(try SealedPartition(key: $0, layout: layout)).isSealed }
            let reported = (try POSIXFile.openForReadingIfExists("\(layout.reportDirectory(date))/_SUCCESS")) != nil
            if let unsealed {
                decisions.append(Decision(date: date, paths: [], keptBecause: "\(unsealed.relativePath) is not sealed (run seal)"))
                continue
            }
            guard reported else {
                decisions.append(Decision(date: date, paths: [], keptBecause: "its report is missing or incomplete (run report --date \(date))"))
                continue
            }
            var paths = ["\(layout.eventsDirectory)/date=\(date)"]
            let timelines = layout.timelineDirectory(date)
            if let version = Directory.linkTarget(timelines) { paths += [timelines, "\(layout.root)/timelines/\(version)"] }
            if Directory.exists("\(layout.rejectedDirectory)/date=\(date)") { paths.append("\(layout.rejectedDirectory)/date=\(date)") }
            if !dryRun {
                for path in paths { try Directory.removeTree(path) }
                try Directory.sync(layout.eventsDirectory)
            }
            decisions.append(Decision(date: date, paths: paths, keptBecause: nil))
        }
        return decisions
    }
}
