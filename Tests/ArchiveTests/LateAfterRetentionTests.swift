import Foundation
import Testing

/// A day whose raw events retention removed keeps the report built from the whole day: an event that lands on it
/// later is recorded beside that report, never the cause of a rebuild from the late files alone.
@Suite("late events after retention", .serialized)
struct LateAfterRetentionTests {
    static let day = GeneratedDay.date
    static let previous = GeneratedDay.previousDate

    /// One valid campaign event on the previous day (2026-11-26 12:00 UTC), as a body file for `ingest`.
    static func lateBody(in directory: TestDirectory) throws -> String {
        let path = directory.file("late.jsonl")
        let body = Bodies.body([Bodies.event(uuid: "late-after-retention", time: 1_795_694_400)])
        try Data(body.filter { $0 != 0x0A } + [0x0A]).write(to: URL(fileURLWithPath: path))
        return path
    }

    func reportJSON(_ root: String) throws -> NSDictionary {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(root)/reports/date=\(Self.previous)/report.json"))) as! NSDictionary
    }

    @Test("after retention, a late event neither replaces the day's report nor is lost unrecorded; retain keeps it until nightly records it")
    func lateEventIsRecordedBesideTheReport() throws {
        let generated = try GeneratedDay(events: 3000)
        let root = generated.root
        let first = try ProcessRunner.archive(["nightly", "--root", root, "--date", Self.day, "--grace", "0", "--keep-days", "1"])
        #expect(first.status == 0, Comment(rawValue: first.stderr))
        let before = try reportJSON(root)
        let eventsBefore = (before["totals"] as! NSDictionary)["events"] as! Int
        let csvBefore = try Data(contentsOf: URL(fileURLWithPath: "\(root)/reports/date=\(Self.previous)/campaign_events.csv"))
        #expect(eventsBefore > 1, "the generated day has late events on the previous day, reported before retention")
        #expect(generated.directory.files(under: "archive/events/date=\(Self.previous)") == ["\(root)/events/date=\(Self.previous)/_RETAINED.json"])

        #expect(try ProcessRunner.archive(["ingest", "--root", root, "--input", try Self.lateBody(in: generated.directory)]).status == 0)
        #expect(try ProcessRunner.archive(["seal", "--root", root, "--grace", "0"]).status == 0)
        let dry = try ProcessRunner.archive(["retain", "--root", root, "--keep-days", "1", "--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.text.contains("kept \(Self.previous): 1 files of events arrived after its raw events were removed"), Comment(rawValue: dry.text))
        #expect(!dry.text.contains("would remove \(root)/events/date=\(Self.previous)"))

        let rebuild = try ProcessRunner.archive(["report", "--root", root, "--date", Self.previous])
        #expect(rebuild.status == 1 && rebuild.stderr.contains("removed by retention"), Comment(rawValue: rebuild.stderr))
        #expect(try reportJSON(root) == before, "a refused rebuild leaves report.json as it was")

        let second = try ProcessRunner.archive(["nightly", "--root", root, "--date", Self.day, "--grace", "0", "--keep-days", "1"])
        #expect(second.status == 0, Comment(rawValue: second.stderr))
        #expect(second.stderr.contains("late events \(Self.previous): report kept as built"), Comment(rawValue: second.stderr))
        let after = try reportJSON(root)
        #expect((after["totals"] as! NSDictionary)["events"] as? Int == eventsBefore, "the day's counts are intact")
        #expect(after["complete"] as? Bool == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(root)/reports/date=\(Self.previous)/campaign_events.csv")) == csvBefore)
        let late = try #require(after["late_events"] as? NSDictionary)
        #expect(late["events"] as? Int == 1 && late["campaign_events"] as? Int == 1)
        for key in before.allKeys as! [String] { #expect(after[key] as? NSObject == before[key] as? NSObject, "\(key) kept as it was") }

        // Recorded, the late event may go with the rest of the day; the record now shows two removals.
        let record = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "\(root)/events/date=\(Self.previous)/_RETAINED.json"))
        ) as! NSDictionary
        #expect((record["removals"] as! [NSDictionary]).map { $0["events"] as! Int }.last == 1)
        #expect(generated.directory.files(under: "archive/events/date=\(Self.previous)").count == 1)
    }
}
