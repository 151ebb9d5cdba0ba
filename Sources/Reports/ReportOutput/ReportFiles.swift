import StreamsArchive

/// Writes a report's files into ROOT/reports/date=D/ (or range=D1_D2/) so that a reader never sees a
/// half-written file, then rewrites the reports' home page (`ReportsHome`).
///
/// The completion marker is removed first and written last: `_SUCCESS` when every input was read to the end,
/// `_INCOMPLETE` (listing the damage) otherwise. A crash mid-way leaves the directory without a marker, which
/// the nightly pipeline takes as "not reported". Each file is replaced atomically, so a reader opening any of
/// them sees either the previous run's version or this run's.
public enum ReportFiles {
    /// report.json: totals, inputs, damage and late events, what the nightly run and retention read back.
    public static let jsonName = "report.json"
    public static let files = ["campaign_events.csv", "campaigns.csv", "campaign_breakdown.csv", jsonName, "report.html"]
    public static let successMarker = ArchiveFileName.success
    public static let incompleteMarker = "_INCOMPLETE"

    /// A date's report.json, where its inputs and late events are recorded.
    public static func json(layout: ArchiveLayout, date: UTCDate) -> String { "\(layout.reportDirectory(date))/\(jsonName)" }

    /// Whether the date's report was completed (every input read to the end).
    public static func isComplete(layout: ArchiveLayout, date: UTCDate) throws -> Bool {
        try POSIXFile.openForReadingIfExists("\(layout.reportDirectory(date))/\(successMarker)") != nil
    }

    /// Writes every file and returns the directory.
    /// Refuses (`RetentionRefusal`) a date whose raw events retention removed: its report stays as built.
    @discardableResult
    public static func write(_ report: CampaignReport, layout: ArchiveLayout) throws -> String {
        for date in report.period.dates { try DayAccounting.requireWholeDay(layout: layout, date: date) }
        let directory = report.period.directory(in: layout)
        try Directory.create(directory)
        try AtomicFile.removeLeftovers(in: directory)  // left by a run that was killed mid-write
        try Directory.removeFile("\(directory)/\(successMarker)")
        try Directory.removeFile("\(directory)/\(incompleteMarker)")
        let contents: [(String, [UInt8])] = [
            ("campaign_events.csv", ReportTables.campaignEvents(report)),
            ("campaigns.csv", ReportTables.campaigns(report)),
            ("campaign_breakdown.csv", ReportTables.breakdown(report)),
            (jsonName, ReportJSON.render(report, root: layout.root)),
            ("report.html", ReportHTML.render(report, root: layout.root)),
        ]
        for (name, bytes) in contents { try AtomicFile.write(bytes, to: "\(directory)/\(name)") }
        if report.isComplete {
            try AtomicFile.write([], to: "\(directory)/\(successMarker)")
        } else {
            let lines = report.damage.map { "\(ReportJSON.relative($0.path, to: layout.root)) at byte \($0.offset): \($0.reason)\n" }
            try AtomicFile.write(Array(lines.joined().utf8), to: "\(directory)/\(incompleteMarker)")
        }
        try ReportsHome.write(layout: layout)
        return directory
    }
}
