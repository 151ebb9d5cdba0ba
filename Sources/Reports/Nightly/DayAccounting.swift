import StreamsArchive

/// Whether a date's report accounts for every raw event it has now: what retention asks before removing a
/// date, and what the nightly plan asks of a date whose raw events were removed before.
///
/// A date with a `RetentionRecord` had its report built from the whole day before its raw events went; what
/// lands on it afterwards is late, and is accounted for once report.json's `late_events` names exactly the
/// files it has now (`LateEvents` writes that). Any other date is accounted for when its report is complete
/// and was built from exactly the files it has now.
public struct DayAccounting: DerivedData {
    public let layout: ArchiveLayout

    public init(layout: ArchiveLayout) {
        self.layout = layout
    }

    /// nil when the report accounts for every file of `date`; else why not, and what to run.
    public func whyNotReported(_ date: UTCDate) throws -> String? {
        let report = ReportFiles.json(layout: layout, date: date)
        let current = try RecordedInputs.current(layout: layout, date: date)
        if let record = try RetentionRecord.read(layout: layout, date: date) {
            guard record.pending == nil else { return "a removal of its raw events was interrupted (run retain, which finishes it)" }
            guard try !LateEvents.areRecorded(layout: layout, date: date, current: current) else { return nil }
            return "\(current.count) files of events arrived after its raw events were removed and are not yet recorded beside its report (run nightly)"
        }
        guard try ReportFiles.isComplete(layout: layout, date: date) else {
            return "its report is missing or incomplete (run report --date \(date))"
        }
        guard try RecordedInputs.recorded(in: report) == current else {
            return "events arrived since its report was built (run nightly, or report --date \(date))"
        }
        return nil
    }

    /// The date's published timelines (its link and the version it points to): derived from raw events only.
    public func removedWithRawEvents(_ date: UTCDate) -> [String] {
        let link = layout.timelineDirectory(date)
        guard let version = Directory.linkTarget(link) else { return [] }
        return [link, "\(layout.timelinesDirectory)/\(version)"]
    }

    /// Refuses to rebuild a whole-day output (report, timelines) of a date whose raw events were removed: built
    /// from the late files alone it would replace the day's numbers with a few events'.
    public static func requireWholeDay(layout: ArchiveLayout, date: UTCDate) throws {
        guard let record = try RetentionRecord.read(layout: layout, date: date) else { return }
        throw RetentionRefusal(date: date, removedAt: record.removals.first?.removedAt ?? record.pending?.removal.removedAt)
    }
}

/// A whole-day output asked for a date whose raw events retention removed.
public struct RetentionRefusal: Error, CustomStringConvertible {
    public let date: UTCDate
    public let removedAt: UTCInstant?

    public var description: String {
        "the raw events of \(date) were removed by retention (\(ArchiveFileName.retained)\(removedAt.map { ", at \($0)" } ?? "")); "
            + "rebuilding from what is left would replace the day's report with one of late events only, so it is kept as it is; "
            + "nightly records late events beside it in report.json's \(LateEvents.member)"
    }
}
