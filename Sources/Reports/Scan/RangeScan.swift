import StreamsArchive

/// How a report period's hours are read: for a range, every date checked to be here first; then, for a day or
/// a range, in groups of hours whose locks fit the descriptors this process may open.
///
/// `DayScan` holds one descriptor per hour (its shared lock) while the hours are read: about 240 a day, so a
/// week is past Linux's usual soft limit of 1,024 and a year past most hard limits. The soft limit is raised to
/// the hard one first (what Go's runtime does at start), and a range that still does not fit is read group by
/// group into the same accumulators: each hour is still read whole under its lock (an event's copies are all in
/// its hour), and unique users are still counted across every date. Nothing here is written; a refusal leaves
/// the archive as it was.
enum RangeScan {
    /// Descriptors left for what a read opens beside the locks: a file being read per worker, the user
    /// spill's file being written (one at a time), standard streams, the binary's libraries.
    static let reserved = 128

    /// The period's hours in reading groups, in date order. For a range, refuses (`RangeUnavailable`) dates
    /// with no events here (no hour with a file to read) or whose raw events retention removed; a single date is
    /// reported as it is, even empty.
    static func groups(layout: ArchiveLayout, period: ReportPeriod, includeOpen: Bool, descriptorLimit: Int) throws -> [[PartitionKey]] {
        var missing: [UTCDate] = []
        var retained: [UTCDate] = []
        var hours: [PartitionKey] = []
        for date in period.dates {
            if !period.isDay, try RetentionRecord.read(layout: layout, date: date) != nil {
                retained.append(date)
                continue
            }
            let partitions = try ArchivePartitions.all(layout: layout, date: date)
            // Listed without the hours' locks: whether a date has anything to read, not what (a day is reported
            // as it is, so its hours are not listed twice).
            let readable = try period.isDay || partitions.contains { key in
                let contents = try PartitionContents(key: key, layout: layout)
                return !contents.finished.isEmpty || includeOpen && !contents.inProgress.isEmpty
            }
            if !readable { missing.append(date) }
            hours += partitions
        }
        guard period.isDay || missing.isEmpty && retained.isEmpty else {
            throw RangeUnavailable(period: period, missing: missing, retained: retained, root: layout.root)
        }
        let size = max(64, descriptorLimit - reserved)
        return hours.isEmpty ? [[]] : stride(from: 0, to: hours.count, by: size).map { Array(hours[$0..<min($0 + size, hours.count)]) }
    }
}

/// A range report refused because some of its dates are not here to read: nothing is written.
public struct RangeUnavailable: Error, CustomStringConvertible {
    public let period: ReportPeriod
    /// Dates with no file to read under `events/` (no hour, or only empty ones).
    public let missing: [UTCDate]
    /// Dates whose raw events retention removed (`_RETAINED.json`).
    public let retained: [UTCDate]
    let root: String

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("no events under \(root)/events for \(Self.spans(missing))") }
        if !retained.isEmpty { parts.append("the raw events of \(Self.spans(retained)) were removed by retention") }
        return "cannot report \(period): " + parts.joined(separator: "; ")
            + ". Unique users across a range need every date's events: bring them back with "
            + "`streams-archive restore --from s3://BUCKET/PREFIX --root \(root) --date D` for each, or report a range without them"
    }

    /// Sorted dates with consecutive ones joined: "2026-01-01 to 2026-03-31, 2026-05-02".
    static func spans(_ dates: [UTCDate]) -> String {
        var spans: [(first: UTCDate, last: UTCDate)] = []
        for date in dates {
            if let last = spans.last?.last, last.adding(days: 1) == date { spans[spans.count - 1].last = date } else { spans.append((date, date)) }
        }
        return spans.map { $0.first == $0.last ? $0.first.description : "\($0.first) to \($0.last)" }.joined(separator: ", ")
    }
}
