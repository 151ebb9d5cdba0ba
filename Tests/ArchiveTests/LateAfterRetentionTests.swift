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
        let first = try ProcessRunner.archive(["nightly", "--root", root, "--date", Self.day, "--grace", "0", "--keep-days", "1", "--delete-unshipped"])
        #expect(first.status == 0, Comment(rawValue: first.stderr))
        let before = try reportJSON(root)
        let eventsBefore = (before["totals"] as! NSDictionary)["events"] as! Int
        let csvBefore = try Data(contentsOf: URL(fileURLWithPath: "\(root)/reports/date=\(Self.previous)/campaign_events.csv"))
        #expect(eventsBefore > 1, "the generated day has late events on the previous day, reported before retention")
        #expect(generated.directory.files(under: "archive/events/date=\(Self.previous)") == ["\(root)/events/date=\(Self.previous)/_RETAINED.json"])

        #expect(try ProcessRunner.archive(["ingest", "--root", root, "--input", try Self.lateBody(in: generated.directory)]).status == 0)
        #expect(try ProcessRunner.archive(["seal", "--root", root, "--grace", "0"]).status == 0)
        let dry = try ProcessRunner.archive(["retain", "--root", root, "--keep-days", "1", "--delete-unshipped", "--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.text.contains("kept \(Self.previous): 1 files of events arrived after its raw events were removed"), Comment(rawValue: dry.text))
        #expect(!dry.text.contains("would remove \(root)/events/date=\(Self.previous)"))

        let rebuild = try ProcessRunner.archive(["report", "--root", root, "--date", Self.previous])
        #expect(rebuild.status == 1 && rebuild.stderr.contains("removed by retention"), Comment(rawValue: rebuild.stderr))
        #expect(try reportJSON(root) == before, "a refused rebuild leaves report.json as it was")

        let second = try ProcessRunner.archive(["nightly", "--root", root, "--date", Self.day, "--grace", "0", "--keep-days", "1", "--delete-unshipped"])
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

    /// A generated day reported by nightly without retention: the previous date is past the cut-off and whole.
    func reportedDay(_ name: String = #function) throws -> GeneratedDay {
        let generated = try GeneratedDay(events: 2000, name)
        let nightly = try ProcessRunner.archive(["nightly", "--root", generated.root, "--date", Self.day, "--grace", "0"])
        #expect(nightly.status == 0, Comment(rawValue: nightly.stderr))
        return generated
    }

    @Test(
        "retain killed with SIGKILL at its 1st, 2nd and 5th unlink: the next nightly finishes that removal; nothing is taken for late events",
        arguments: [1, 2, 5]
    )
    func killedRetentionIsFinished(occurrence: Int) throws {
        let generated = try reportedDay()
        let root = generated.root
        let before = try reportJSON(root)
        let killed = try ProcessRunner.run(
            "strace", ["-f", "-o", "/dev/null", "-e", "inject=unlink,unlinkat:signal=KILL:when=\(occurrence)", ProcessRunner.streamsArchive, "retain", "--root", root, "--keep-days", "1", "--delete-unshipped"]
        )
        #expect(killed.status != 0, "retain was killed")
        let nightly = try ProcessRunner.archive(["nightly", "--root", root, "--date", Self.day, "--grace", "0"])
        #expect(nightly.status == 0, Comment(rawValue: nightly.stderr))
        #expect(!nightly.stderr.contains("late events"), Comment(rawValue: nightly.stderr))
        #expect(try reportJSON(root) == before, "the report is as it was: no late_events")
        #expect(generated.directory.files(under: "archive/events/date=\(Self.previous)") == ["\(root)/events/date=\(Self.previous)/_RETAINED.json"])
        let record = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "\(root)/events/date=\(Self.previous)/_RETAINED.json"))
        ) as! NSDictionary
        #expect((record["removals"] as! [NSDictionary]).map { $0["events"] as! Int } == [(before["totals"] as! NSDictionary)["events"] as! Int])
        #expect(record["pending"] == nil)
    }

    @Test("an hour directory with no data (a leftover _SUCCESS) neither blocks retention nor stays: seal tidies it")
    func emptyHourDoesNotBlockRetention() throws {
        let generated = try reportedDay()
        let root = generated.root
        let empty = "\(root)/events/date=\(Self.previous)/channel=sms/hour=05"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(empty)/_SUCCESS", contents: Data())
        let retain = try ProcessRunner.archive(["retain", "--root", root, "--keep-days", "1", "--delete-unshipped"])
        #expect(retain.status == 0 && retain.text.contains("removed \(root)/events/date=\(Self.previous)/"), Comment(rawValue: retain.text))
        #expect(!FileManager.default.fileExists(atPath: empty))
        try FileManager.default.createDirectory(atPath: "\(root)/events/date=2026-11-20/channel=sms/hour=00", withIntermediateDirectories: true)
        #expect(try ProcessRunner.archive(["seal", "--root", root, "--grace", "0"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: "\(root)/events/date=2026-11-20/channel=sms/hour=00"))
    }

    @Test("an unreadable _RETAINED.json fails its own date, names it and what to do, and nightly still builds the other dates")
    func unreadableRecordFailsOnlyItsDate() throws {
        let generated = try GeneratedDay(events: 2000)
        let root = generated.root
        try Data("{}".utf8).write(to: URL(fileURLWithPath: "\(root)/events/date=\(Self.previous)/_RETAINED.json"))
        let nightly = try ProcessRunner.archive(["nightly", "--root", root, "--date", Self.day, "--grace", "0"])
        #expect(nightly.status == 1)
        #expect(nightly.stderr.contains("plan: \(Self.previous): skipped") && nightly.stderr.contains("_RETAINED.json is not a readable retention record"), Comment(rawValue: nightly.stderr))
        #expect(FileManager.default.fileExists(atPath: "\(root)/reports/date=\(Self.day)/_SUCCESS"))
    }
}
