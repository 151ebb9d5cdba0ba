import Glibc
import StreamsArchive

/// What the reports' home page shows of one written report: its period, whether it is complete, and, read back
/// from its report.json, its channels and campaigns.
///
/// Read-only. A report whose files are being rewritten (no marker yet), or whose report.json cannot be read or
/// is not one this project writes (a wrong shape, counts past any real day), is still listed, as unfinished or
/// unreadable, never skipped and never trusted: the home page must not hide a day that failed, nor fail itself.
struct ReportDigest: Sendable {
    enum Status: String, Sendable {
        /// `_SUCCESS`: every input read to the end.
        case complete
        /// `_INCOMPLETE`: damaged input, the rest reported.
        case incomplete
        /// No marker: being written now, or a run that died mid-way.
        case unfinished
        /// Its report.json is missing or not a report's.
        case unreadable
    }

    struct Campaign: Sendable {
        let id: String
        let name: String
        let channel: String
        let events: Int
        let users: Int

        var title: String { name.isEmpty ? id : name }
    }

    /// No count in a report.json is larger: a million events a second for 30 years is under 10^15.
    static let largestCount: Int64 = 1_000_000_000_000_000

    let period: ReportPeriod
    private(set) var status: Status
    /// The directory's name under reports/ (`date=D`, `range=D1_D2`).
    let directoryName: String
    /// nil when report.json was not read (outside the page's window) or could not be.
    private(set) var events: Int?
    private(set) var channelEvents: [Channel: Int] = [:]
    /// Absent for reports written before report.json carried channel users.
    private(set) var channelUsers: [Channel: Int] = [:]
    private(set) var campaigns: [Campaign] = []

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
        if details, !read("\(directory)/\(ReportFiles.jsonName)") {
            if status != .unfinished { status = .unreadable }
            events = nil
            channelEvents = [:]
            channelUsers = [:]
            campaigns = []
        }
    }

    /// Reads report.json; false if it is missing or not shaped as this project writes it.
    private mutating func read(_ path: String) -> Bool {
        guard let file = try? POSIXFile.openForReadingIfExists(path), let document = try? JSONScanner().document(try file.readToEnd()) else { return false }
        func member(_ object: Int, _ name: String, _ kind: JSONKind) -> Int? {
            guard document.kind(object) == .object, let node = document.member(of: object, named: name), document.kind(node) == kind else { return nil }
            return node
        }
        func count(_ object: Int, _ name: String) -> Int? {
            guard let node = member(object, name, .number), let value = document.integer(node), (0...Self.largestCount).contains(value) else { return nil }
            return Int(value)
        }
        func string(_ object: Int, _ name: String) -> String? { member(object, name, .string).flatMap(document.string) }
        let root = document.root
        guard let totals = member(root, "totals", .object), let events = count(totals, "events"),
            let channels = member(root, "channels", .array), let campaigns = member(root, "campaigns", .array)
        else { return false }
        self.events = events
        for element in document.elements(of: channels) {
            guard let name = string(element, "channel"), let channel = Channel(rawValue: name), let events = count(element, "events") else { return false }
            channelEvents[channel] = events
            // Absent in a report.json written before channels carried their users.
            if member(element, "users", .number) != nil {
                guard let users = count(element, "users") else { return false }
                channelUsers[channel] = users
            }
        }
        for element in document.elements(of: campaigns) {
            guard let id = string(element, "campaign_id"), let events = count(element, "events"), let users = count(element, "users") else { return false }
            self.campaigns.append(
                Campaign(id: id, name: string(element, "campaign_name") ?? "", channel: string(element, "campaign_channel") ?? "", events: events, users: users)
            )
        }
        return true
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
