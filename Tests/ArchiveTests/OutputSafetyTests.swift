import Foundation
import Testing

/// What people open (a terminal, a spreadsheet) never runs what event data carries.
@Suite("output safety")
struct OutputSafetyTests {
    /// Archives `events` (raw JSON objects) with `ingest` and returns the root.
    static func archive(_ events: [String], in directory: TestDirectory) throws -> String {
        let root = directory.file("archive")
        let bodies = directory.file("bodies.jsonl")
        try (#"{"app_name":"A","events":[\#(events.joined(separator: ","))]}"# + "\n").write(toFile: bodies, atomically: true, encoding: .utf8)
        #expect(try ProcessRunner.archive(["ingest", "--root", root, "--input", bodies]).status == 0)
        return root
    }

    static func event(_ uuid: String, campaign: String, name: String) -> String {
        #"{"event_uuid":"\#(uuid)","event_time":1773480000,"event_code":"MOE_EMAIL_SENT","event_name":"Email Sent","event_type":"CAMPAIGN_EVENT","uid":"u-ctl","event_attributes":{"campaign_id":"\#(campaign)","campaign_name":"\#(name)","campaign_channel":"Email"}}"#
    }

    @Test("timeline --format table shows ESC, CR and LF in event data escaped: no terminal control, one line per event")
    func tableEscapesControlCharacters() throws {
        let directory = TestDirectory()
        let root = try Self.archive([Self.event("ctl-1", campaign: "c1", name: #"\u001b[2J\u001b]0;owned\u0007red\r\nfake row"#)], in: directory)
        let run = try ProcessRunner.archive(["timeline", "--root", root, "--uid", "u-ctl", "--from", "2026-03-14", "--to", "2026-03-14", "--format", "table"])
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        #expect(!run.stdout.contains { $0 < 0x20 && $0 != 0x0A } && !run.stdout.contains(0x7F))
        let lines = run.text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 2, "header and one row: \(lines)")
        #expect(lines.last?.hasSuffix(#"\u{1b}[2J\u{1b}]0;owned\u{7}red\u{d}\u{a}fake row"#) == true, "\(lines.last ?? "")")
    }

    @Test("CSV cells that a spreadsheet would run as a formula get a leading ' (OWASP); other cells are unchanged")
    func csvNeutralisesFormulas() throws {
        let directory = TestDirectory()
        let names = ["=HYPERLINK(\\\"http://x\\\",\\\"y\\\")", "+1", "-2", "@SUM(A1)", "\\tx", "plain", "a=b"]
        let events = names.enumerated().map { Self.event("f-\($0.offset)", campaign: "c\($0.offset)", name: $0.element) }
            + [Self.event("f-id", campaign: "=cmd", name: "by id")]
        let root = try Self.archive(events, in: directory)
        #expect(try ProcessRunner.archive(["report", "--root", root, "--date", "2026-03-14"]).status == 0)
        for file in ["campaign_events.csv", "campaigns.csv"] {
            let text = try String(contentsOfFile: "\(root)/reports/date=2026-03-14/\(file)", encoding: .utf8)
            let cells = CSVRecords.parse(text).flatMap { $0 }
            #expect(!cells.contains { cell in ["=", "+", "-", "@", "\t", "\r"].contains { cell.hasPrefix($0) } }, "\(file): \(cells)")
            for expected in [#"'=HYPERLINK("http://x","y")"#, "'+1", "'-2", "'@SUM(A1)", "'\tx", "plain", "a=b", "'=cmd"] {
                #expect(cells.contains(expected), "\(file) has \(expected)")
            }
        }
    }
}
