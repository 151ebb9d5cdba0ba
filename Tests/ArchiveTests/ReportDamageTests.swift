import Foundation
import Testing

@Suite("campaign report on damaged input")
struct ReportDamageTests {
    /// Appends `bytes` to a file.
    static func append(_ bytes: Data, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: bytes)
        try handle.close()
    }

    /// `text` as one gzip member written by the system's gzip.
    static func gzipMember(_ text: String, in directory: TestDirectory) throws -> Data {
        let plain = directory.file("member-\(UUID().uuidString)")
        try text.write(toFile: plain, atomically: true, encoding: .utf8)
        return try ProcessRunner.run("gzip", ["-c", plain]).stdout
    }

    @Test("torn, CRC-damaged and non-JSON files are named with offsets; the rest of the day is reported, marked incomplete, exit 2; lines a damaged member delivered before its CRC failed are counted")
    func damagedFilesMarkTheReportIncomplete() throws {
        let day = try GeneratedDay()
        let files = day.directory.files(under: "archive/events/date=\(GeneratedDay.date)") { $0.hasSuffix(".jsonl.gz") }
        let byPartition = Dictionary(grouping: files) { ($0 as NSString).deletingLastPathComponent }.values.map { $0[0] }.sorted()
        try #require(byPartition.count >= 3)
        let (torn, notJSON, badCRC) = (byPartition[0], byPartition[1], byPartition[2])
        let size = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int }
        let tornSize = try size(torn), badCRCSize = try size(badCRC)
        let plainSize = Int(try ProcessRunner.shell("zcat '\(notJSON)' | wc -c").text.trimmingCharacters(in: .whitespacesAndNewlines))!

        try Self.append(Data([0x1F, 0x8B, 0x08, 0x00, 0x00]), to: torn)
        try Self.append(try Self.gzipMember("this line is not JSON\n", in: day.directory), to: notJSON)
        // The bad member holds events found nowhere else, so whether they count is visible in every total.
        let firstLine = try ProcessRunner.shell("zcat '\(badCRC)' | head -n 1").text
        var template = try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as! [String: Any]
        var unique: [NSDictionary] = []
        var memberText = ""
        for index in 0..<3 {
            template["event_uuid"] = "only-in-the-crc-damaged-member-\(index)"
            let line = try JSONSerialization.data(withJSONObject: template)
            memberText += String(decoding: line, as: UTF8.self) + "\n"
            unique.append(try JSONSerialization.jsonObject(with: line) as! NSDictionary)
        }
        var damaged = try Self.gzipMember(memberText, in: day.directory)
        damaged[damaged.count - 8] ^= 0xFF
        try Self.append(damaged, to: badCRC)

        let run = try day.report()
        #expect(run.status == 2)
        for (path, offset) in [(torn, tornSize), (notJSON, plainSize), (badCRC, badCRCSize)] {
            #expect(run.stderr.contains("\(path) at byte \(offset):"), Comment(rawValue: run.stderr))
        }
        #expect(run.stderr.contains("INCOMPLETE"))
        // Documented (docs/REPORT.md): inflate delivers a member's lines before its trailer's CRC is checked,
        // so they are counted, and the file is named as damaged at the end of its last good member.
        let expected = ExpectedReport(events: day.events + unique, date: GeneratedDay.date)
        let totals = try #require(try day.json()["totals"] as? [String: Any])
        let onTheDate = Set((day.events + unique).filter { ExpectedReport.day(of: $0) == GeneratedDay.date }.map { $0["event_uuid"] as! String })
        #expect(totals["events"] as? Int == onTheDate.count, "the damaged member's three events are counted")
        #expect(try day.file("campaign_events.csv") == Data(expected.campaignEventsCSV))
        let directory = "\(day.root)/reports/date=\(GeneratedDay.date)"
        #expect(FileManager.default.fileExists(atPath: "\(directory)/_INCOMPLETE") && !FileManager.default.fileExists(atPath: "\(directory)/_SUCCESS"))
        let json = try day.json()
        #expect(json["complete"] as? Bool == false)
        let damage = (json["damage"] as! [NSDictionary]).map { "\(day.root)/\($0["file"] as! String)@\($0["offset"] as! Int)" }
        #expect(Set(damage) == ["\(torn)@\(tornSize)", "\(notJSON)@\(plainSize)", "\(badCRC)@\(badCRCSize)"])
        #expect(try String(contentsOfFile: "\(directory)/report.html", encoding: .utf8).contains("id=\"incomplete\""))
    }

    @Test("a report that completes after the damage is repaired replaces the incomplete marker with _SUCCESS")
    func repairedDayBecomesComplete() throws {
        let day = try GeneratedDay(events: 500)
        let file = try #require(day.directory.files(under: "archive/events/date=\(GeneratedDay.date)") { $0.hasSuffix(".jsonl.gz") }.first)
        let original = try Data(contentsOf: URL(fileURLWithPath: file))
        try Self.append(Data([0x1F, 0x8B]), to: file)
        #expect(try day.report().status == 2)
        try original.write(to: URL(fileURLWithPath: file))
        #expect(try day.report().status == 0)
        let directory = "\(day.root)/reports/date=\(GeneratedDay.date)"
        #expect(FileManager.default.fileExists(atPath: "\(directory)/_SUCCESS") && !FileManager.default.fileExists(atPath: "\(directory)/_INCOMPLETE"))
    }
}

@Suite("campaign report killed mid-run")
struct ReportCrashTests {
    @Test("kill -9 of report while it replaces its files leaves only whole files and no _SUCCESS; a re-run restores the report", arguments: [1, 3, 6])
    func killedReport(rename: Int) throws {
        let day = try GeneratedDay(events: 1500)
        #expect(try day.report().status == 0)
        let complete = try ReportFilesSnapshot(day)
        let killed = try ProcessRunner.run(
            "strace", ["-f", "-o", "/dev/null", "-e", "inject=rename,renameat,renameat2:signal=KILL:when=\(rename)", ProcessRunner.streamsArchive,
                       "report", "--root", day.root, "--date", GeneratedDay.date]
        )
        #expect(killed.status != 0)
        let after = try ReportFilesSnapshot(day)
        #expect(after.files["_SUCCESS"] == nil, "the marker is removed first and written last")
        for (name, bytes) in after.files where !name.hasPrefix(".") {
            #expect(complete.files[name] == bytes, "\(name) is whole: the previous version or an identical new one")
        }
        #expect(try day.report().status == 0)
        #expect(try ReportFilesSnapshot(day) == complete)
    }
}
