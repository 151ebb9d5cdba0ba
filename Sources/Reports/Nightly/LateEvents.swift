import StreamsArchive

/// report.json's `late_events`: events that landed on a date after retention removed its raw events,
/// counted on their own and recorded beside the day's report, whose counts stay exactly as they were.
///
/// report.json is replaced atomically with every other member kept byte for byte; `late_events` names the
/// files it counted (`inputs`), so the nightly plan and retention can tell whether it is up to date; the
/// retention record (`RetentionRecord`) keeps the count of every removal, earlier late events included.
public enum LateEvents {
    public static let member = "late_events"

    /// Whether report.json's `late_events` names exactly `current`, the date's files now.
    static func areRecorded(layout: ArchiveLayout, date: UTCDate, current: [String: FileStamp]) throws -> Bool {
        try RecordedInputs.recorded(in: ReportFiles.json(layout: layout, date: date), within: member) == current
    }

    /// Counts the date's files as they are now (all of them late) and records them in report.json; returns
    /// the late events' own report, for the log.
    public static func record(layout: ArchiveLayout, date: UTCDate, workers: Int = System.coreCount) throws -> CampaignReport {
        let path = ReportFiles.json(layout: layout, date: date)
        guard try RetentionRecord.read(layout: layout, date: date) != nil else { throw LateEventsError.notRetained(date: date) }
        guard let file = try POSIXFile.openForReadingIfExists(path), let report = try? JSONScanner().document(try file.readToEnd()),
            report.kind(report.root) == .object
        else { throw LateEventsError.noReport(path: path) }
        let late = try CampaignReportBuilder.build(layout: layout, period: .day(date), workers: workers)
        var json = JSONBuilder(capacity: report.text.count + 1024 + late.files.count * 160)
        json.beginObject()
        report.forEachMember(of: report.root) { key, value in
            guard !report.keyEquals(key, member), let name = report.string(key) else { return }
            json.raw(name, report.raw(value))
        }
        json.object(member) { object in
            object.string("note", "events that arrived after this date's raw events were removed by retention; not included in the counts above")
            object.raw("complete", late.isComplete ? "true" : "false")
            object.number("events", late.events)
            object.number("campaign_events", late.campaignEvents)
            object.number("duplicates_dropped", late.duplicates)
            DayInputsJSON.appendDamage(late.damage, root: layout.root, to: &object)
            DayInputsJSON.appendInputs(late.files, includedOpenFiles: false, root: layout.root, to: &object)
            object.string("removals", "events/date=\(date)/\(ArchiveFileName.retained) lists every removal of this date's raw events")
        }
        json.endObject()
        json.raw(nil, "\n")
        try AtomicFile.write(json.bytes, to: path)
        try Directory.sync(layout.reportDirectory(date))
        return late
    }
}

/// Late events that cannot be recorded.
public enum LateEventsError: Error, CustomStringConvertible {
    case notRetained(date: UTCDate)
    case noReport(path: String)

    public var description: String {
        switch self {
        case .notRetained(let date): "the raw events of \(date) were never removed; build its report as usual (report --date \(date))"
        case .noReport(let path): "\(path) is missing or unreadable, so late events have nowhere to be recorded; restore it from a backup"
        }
    }
}
