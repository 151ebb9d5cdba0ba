import StreamsArchive

/// The UTC dates a report covers: one date (the daily report) or a range of whole dates, both ends included.
///
/// A range's unique users are counted across all its dates at once, never summed from daily counts. Ranges are
/// at most `maximumDays` long, so a mistyped year is refused instead of read for an hour.
public struct ReportPeriod: Sendable, Hashable, CustomStringConvertible {
    public static let maximumDays = 366

    public let from: UTCDate
    public let to: UTCDate

    /// The daily report's period.
    public static func day(_ date: UTCDate) -> ReportPeriod { ReportPeriod(checkedFrom: date, to: date) }

    /// A range; refused when `to` comes before `from` or the range is longer than `maximumDays`.
    public init(from: UTCDate, to: UTCDate) throws(ReportPeriodError) {
        guard from <= to else { throw ReportPeriodError("--to \(to) is before --from \(from); give the earlier date first") }
        let days = to.daysSinceEpoch - from.daysSinceEpoch + 1
        guard days <= Self.maximumDays else {
            throw ReportPeriodError("\(from) to \(to) is \(days) days; a range report covers at most \(Self.maximumDays): split it")
        }
        self.init(checkedFrom: from, to: to)
    }

    private init(checkedFrom from: UTCDate, to: UTCDate) {
        self.from = from
        self.to = to
    }

    /// One date: written to `reports/date=D/` with SPEC.md's `date` column.
    public var isDay: Bool { from == to }
    public var dates: [UTCDate] { (from.daysSinceEpoch...to.daysSinceEpoch).map { UTCDate(daysSinceEpoch: $0) } }

    /// `reports/date=D` or `reports/range=D1_D2`.
    public func directory(in layout: ArchiveLayout) -> String {
        isDay ? layout.reportDirectory(from) : layout.rangeReportDirectory(from: from, to: to)
    }

    /// "2026-11-27" or "2026-11-23 to 2026-11-29".
    public var description: String { isDay ? from.description : "\(from) to \(to)" }

    /// The range a `range=D1_D2` directory name stands for; nil for any other name.
    public init?(rangeDirectoryName name: String) {
        let parts = name.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, parts[0] == "range" else { return nil }
        let dates = parts[1].split(separator: "_")
        guard dates.count == 2, let from = UTCDate(String(dates[0])), let to = UTCDate(String(dates[1])),
            let period = try? ReportPeriod(from: from, to: to), !period.isDay, name == "range=\(from)_\(to)"
        else { return nil }
        self = period
    }
}

/// A range that cannot be reported (reversed or too long), with what to ask instead.
public struct ReportPeriodError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}
