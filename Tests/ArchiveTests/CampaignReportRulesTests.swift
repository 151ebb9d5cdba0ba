import Foundation
import StreamsArchive
import Testing

/// Hand-built days that pin the report's rules down: names, byte-exact uids, missing attributes, damage.
@Suite("campaign report rules")
struct CampaignReportRulesTests {
    static let noon = 1_795_780_800  // 2026-11-27 08:00:00 UTC
    static let date = "2026-11-27"

    /// Archives `events` (one body per event list) with `ingest` into a fresh root.
    static func archive(_ bodies: [[[String: Any]]], in directory: TestDirectory) throws -> String {
        let lines = try bodies.map { events in
            let envelope: [String: Any] = ["app_name": "Acme", "source": "MOENGAGE", "moe_request_id": UUID().uuidString, "events": events]
            return String(decoding: try JSONSerialization.data(withJSONObject: envelope), as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: directory.file("bodies.jsonl"), atomically: true, encoding: .utf8)
        let root = directory.file("archive")
        let run = try ProcessRunner.archive(["ingest", "--root", root, "--input", directory.file("bodies.jsonl")])
        try #require(run.status == 0, Comment(rawValue: run.stderr))
        return root
    }

    static func csv(_ root: String) throws -> [[String]] {
        CSVRecords.parse(try String(contentsOfFile: "\(root)/reports/date=\(date)/campaign_events.csv", encoding: .utf8))
    }

    @Test("a campaign renamed during the day is reported under the name on its latest event")
    func latestNameWins() throws {
        let directory = TestDirectory()
        func event(_ uuid: String, _ offset: Int, name: String?) -> [String: Any] {
            var event = Bodies.event(uuid: uuid, time: Self.noon + offset)
            var attributes = event["event_attributes"] as! [String: Any]
            attributes["campaign_name"] = name
            event["event_attributes"] = attributes
            return event
        }
        let root = try Self.archive(
            [[event("b", 0, name: "Old name"), event("a", 3600, name: "New name")], [event("z", 3600, name: "Same second, greater uuid"), event("c", 7200, name: nil)]],
            in: directory
        )
        #expect(try ProcessRunner.archive(["report", "--root", root, "--date", Self.date]).status == 0)
        let rows = try Self.csv(root)
        #expect(rows.count == 2 && rows[1][2] == "Same second, greater uuid" && rows[1][7] == "4")
    }

    @Test("uids are distinct byte for byte: a precomposed and a decomposed é are two users")
    func uidsAreComparedAsBytes() throws {
        let directory = TestDirectory()
        let root = try Self.archive(
            [[Bodies.event(extra: ["uid": "Jos\u{E9}"]), Bodies.event(extra: ["uid": "Jose\u{301}"]), Bodies.event(extra: ["uid": "Jos\u{E9}"])]]
                .map { $0.map { event in var event = event; event["event_time"] = Self.noon; return event } },
            in: directory
        )
        #expect(try ProcessRunner.archive(["report", "--root", root, "--date", Self.date]).status == 0)
        let rows = try Self.csv(root)
        #expect(rows.count == 2 && rows[1][7] == "3" && rows[1][8] == "2")
    }

    @Test("campaign events without a campaign_id form their own row with an empty campaign_id, sorted first")
    func missingCampaignID() throws {
        let directory = TestDirectory()
        var orphan = Bodies.event(time: Self.noon)
        orphan["event_attributes"] = ["campaign_channel": "Email"]
        let root = try Self.archive([[orphan, Bodies.event(time: Self.noon)]], in: directory)
        #expect(try ProcessRunner.archive(["report", "--root", root, "--date", Self.date]).status == 0)
        let rows = try Self.csv(root)
        #expect(rows.map { $0[1] } == ["campaign_id", "", "c1"])
        #expect(rows[1][2] == "" && rows[1][4] == "Email" && rows[1][7] == "1")
    }

    @Test("user actions are not campaign events: they count toward the day's events but not the campaign report")
    func userActionsAreLeftOut() throws {
        let directory = TestDirectory()
        let root = try Self.archive(
            [[Bodies.event(time: Self.noon, code: "Added to Cart", type: "USER_ACTION_EVENT", channel: nil), Bodies.event(time: Self.noon)]], in: directory
        )
        #expect(try ProcessRunner.archive(["report", "--root", root, "--date", Self.date]).status == 0)
        #expect(try Self.csv(root).count == 2)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(root)/reports/date=\(Self.date)/report.json"))) as! NSDictionary
        #expect((json["totals"] as! NSDictionary)["events"] as? Int == 2)
        #expect((json["totals"] as! NSDictionary)["campaign_events"] as? Int == 1)
    }

    @Test("files still being written are read only with --include-open")
    func includeOpen() throws {
        let fixture = try ArchiveFixture()
        let key = PartitionKey(eventTime: Int64(Self.noon), channel: .email)
        fixture.writer.stage(Array(#"{"event_uuid":"open-1","event_time":\#(Self.noon),"event_type":"CAMPAIGN_EVENT","event_code":"MOE_EMAIL_SENT","uid":"u","event_attributes":{"campaign_id":"c9"}}"#.utf8), in: .events(key))
        try fixture.writer.commit(now: .epochSeconds(Int64(Self.noon)))
        let root = fixture.layout.root
        #expect(try ProcessRunner.archive(["report", "--root", root, "--date", Self.date]).status == 0)
        #expect(try Self.csv(root).count == 1)
        #expect(try ProcessRunner.archive(["report", "--root", root, "--date", Self.date, "--include-open"]).status == 0)
        let rows = try Self.csv(root)
        #expect(rows.count == 2 && rows[1][1] == "c9" && rows[1][7] == "1")
    }

    @Test("report without an archive at --root fails with exit 1 and says what to do; a malformed date is a usage error")
    func badInvocations() throws {
        let directory = TestDirectory()
        let missing = try ProcessRunner.archive(["report", "--root", directory.file("nothing"), "--date", Self.date])
        #expect(missing.status == 1 && missing.stderr.contains("no archive at") && missing.stderr.contains("--root"))
        let badDate = try ProcessRunner.archive(["report", "--root", directory.path, "--date", "2026-13-40"])
        #expect(badDate.status == 64 && badDate.stderr.contains("date"))
    }
}
