import Glibc
import StreamsArchive

/// What the reports' home page shows of one written report: its period, whether it is complete, and, read back
/// from its report.json, its channels and campaigns.
///
/// Read-only. A report whose files are being rewritten (no marker yet) or whose report.json cannot be read is
/// still listed, as unfinished or unreadable, never skipped: the home page must not hide a day that failed.
struct ReportDigest: Sendable {
    enum Status: String, Sendable {
        /// `_SUCCESS`: every input read to the end.
        case complete
        /// `_INCOMPLETE`: damaged input, the rest reported.
        case incomplete
        /// No marker: being written now, or a run that died mid-way.
        case unfinished
    }

    struct Campaign: Sendable {
        let id: String
        let name: String
        let channel: String
        let events: Int
        let users: Int

        var title: String { name.isEmpty ? id : name }
    }

    let period: ReportPeriod
    let status: Status
    /// The directory's name under reports/ (`date=D`, `range=D1_D2`).
    let directoryName: String
    /// nil when report.json was not read (outside the page's window) or could not be.
    var events: Int?
    var channelEvents: [Channel: Int] = [:]
    /// Absent for reports written before report.json carried channel users.
    var channelUsers: [Channel: Int] = [:]
    var campaigns: [Campaign] = []

    /// The report in `directory`, its report.json read when `details` is set.
    init(period: ReportPeriod, directory: String, details: Bool) {
        self.period = period
        directoryName = String(directory.split(separator: "/").last ?? "")
        if access("\(directory)/\(ReportFiles.successMarker)", F_OK) == 0 {
            status = .complete
        } else if access("\(directory)/\(ReportFiles.incompleteMarker)", F_OK) == 0 {
            status = .incomplete
        } else {
            status = .unfinished
        }
        if details { read("\(directory)/\(ReportFiles.jsonName)") }
    }

    private mutating func read(_ path: String) {
        guard let file = try? POSIXFile.openForReadingIfExists(path), let document = try? JSONScanner().document(try file.readToEnd()),
            document.kind(document.root) == .object
        else { return }
        func integer(_ object: Int, _ name: String) -> Int? { document.member(of: object, named: name).flatMap(document.integer).map(Int.init) }
        func string(_ object: Int, _ name: String) -> String { document.member(of: object, named: name).flatMap(document.string) ?? "" }
        guard let totals = document.member(of: document.root, named: "totals") else { return }
        events = integer(totals, "events")
        if let channels = document.member(of: document.root, named: "channels"), document.kind(channels) == .array {
            for element in document.elements(of: channels) {
                guard let channel = Channel(rawValue: string(element, "channel")) else { continue }
                channelEvents[channel] = integer(element, "events")
                channelUsers[channel] = integer(element, "users")
            }
        }
        if let campaigns = document.member(of: document.root, named: "campaigns"), document.kind(campaigns) == .array {
            self.campaigns = document.elements(of: campaigns).map { element in
                Campaign(
                    id: string(element, "campaign_id"), name: string(element, "campaign_name"), channel: string(element, "campaign_channel"),
                    events: integer(element, "events") ?? 0, users: integer(element, "users") ?? 0
                )
            }
        }
    }

    /// Every report under `layout`'s reports/, dailies and ranges, with report.json read for the dailies of
    /// the last `detailedDays` dates up to the latest one only, so the page costs the same after years of reports.
    static func all(layout: ArchiveLayout, detailedDays: Int) throws -> [ReportDigest] {
        let names = try Directory.entries(layout.reportsDirectory)
        let dailies = names.compactMap(UTCDate.init(directoryName:))
        let first = dailies.max()?.adding(days: Int64(1 - detailedDays))
        var digests = dailies.map { date in
            ReportDigest(period: .day(date), directory: layout.reportDirectory(date), details: first.map { date >= $0 } ?? false)
        }
        for name in names {
            guard let period = ReportPeriod(rangeDirectoryName: name) else { continue }
            digests.append(ReportDigest(period: period, directory: "\(layout.reportsDirectory)/\(name)", details: false))
        }
        return digests
    }
}
