import Foundation
import Testing

/// One line contract (`StoredLine`): every reader — report, timelines, verify, seal — refuses the same lines.
///
/// Each case is a file a receiver did not write: a good event, then one odd line. The structural scan the
/// batch readers use would count most of these (it does not check numbers, literals, escapes, UTF-8 or
/// repeated keys); the contract says none of them is an event.
@Suite("one line contract for every reader")
struct LineContractTests {
    static let date = "2026-03-14"
    static let hour = "events/date=2026-03-14/channel=email/hour=09"

    static let oddLines: [(name: String, line: [UInt8])] = [
        ("not JSON", Array("this line is not JSON".utf8)),
        ("an array", Array("[1,2]".utf8)),
        ("a number with a leading zero", Array(#"{"event_uuid":"odd","event_time":1773480001,"n":01}"#.utf8)),
        ("a misspelled literal", Array(#"{"event_uuid":"odd","event_time":1773480001,"flag":tru}"#.utf8)),
        ("an invalid escape", Array(#"{"event_uuid":"odd\q","event_time":1773480001}"#.utf8)),
        ("invalid UTF-8", Array(#"{"event_uuid":"odd","event_time":1773480001,"name":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)),
        ("a raw control character", Array(#"{"event_uuid":"odd","event_time":1773480001,"name":"a"#.utf8) + [0x01] + Array(#""}"#.utf8)),
        ("a repeated key", Array(#"{"event_uuid":"odd","event_time":1773480001,"event_uuid":"other"}"#.utf8)),
        ("a number event_uuid", Array(#"{"event_uuid":7,"event_time":1773480001}"#.utf8)),
        ("no event_time", Array(#"{"event_uuid":"odd"}"#.utf8)),
        ("a string event_time", Array(#"{"event_uuid":"odd","event_time":"1773480001"}"#.utf8)),
        ("a fractional event_time", Array(#"{"event_uuid":"odd","event_time":1773480001.5}"#.utf8)),
    ]

    /// An archive whose one hour holds a finished file: a good event, then `odd`.
    final class Archive {
        let directory = TestDirectory("LineContract")
        var root: String { directory.file("archive") }
        var file: String { "\(root)/\(LineContractTests.hour)/part-foreign-000001.jsonl.gz" }
        let oddOffset: Int

        init(odd: [UInt8]) throws {
            let good = try JSONSerialization.data(withJSONObject: Bodies.event(uuid: "good-1"), options: [.sortedKeys])
            oddOffset = good.count + 1
            try FileManager.default.createDirectory(atPath: "\(root)/\(LineContractTests.hour)", withIntermediateDirectories: true)
            let plain = directory.file("plain.jsonl")
            try (good + Data([0x0A]) + Data(odd) + Data([0x0A])).write(to: URL(fileURLWithPath: plain))
            let gzip = try ProcessRunner.shell("gzip -c '\(plain)' > '\(file)'")
            try #require(gzip.status == 0, Comment(rawValue: gzip.stderr))
        }

        func run(_ command: String, _ arguments: [String] = []) throws -> ProcessRunner.Output {
            try ProcessRunner.archive([command, "--root", root] + arguments)
        }
    }

    @Test("report does not count the line: one event, damage at its offset, exit 2", arguments: oddLines.indices)
    func report(_ index: Int) throws {
        let archive = try Archive(odd: Self.oddLines[index].line)
        let run = try archive.run("report", ["--date", Self.date])
        #expect(run.status == 2, Comment(rawValue: Self.oddLines[index].name + ": " + run.stderr))
        #expect(run.stderr.contains("\(archive.file) at byte \(archive.oddOffset): line is not a stored event"), Comment(rawValue: run.stderr))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(archive.root)/reports/date=\(Self.date)/report.json"))) as! [String: Any]
        let totals = try #require(json["totals"] as? [String: Any])
        #expect(totals["events"] as? Int == 1, Comment(rawValue: Self.oddLines[index].name))
    }

    @Test("timelines do not hold the line: one event, marked incomplete, exit 2", arguments: oddLines.indices)
    func timelines(_ index: Int) throws {
        let archive = try Archive(odd: Self.oddLines[index].line)
        let run = try archive.run("timelines", ["--date", Self.date])
        #expect(run.status == 2, Comment(rawValue: Self.oddLines[index].name + ": " + run.stderr))
        #expect(run.stderr.contains("\(archive.file) at byte \(archive.oddOffset)"), Comment(rawValue: run.stderr))
        let stored = try ProcessRunner.shell("zcat '\(archive.root)/timelines/date=\(Self.date)'/*.jsonl.gz").text
        #expect(stored.split(separator: "\n").count == 1, Comment(rawValue: Self.oddLines[index].name + ": " + stored))
    }

    @Test("verify names the line's file and offset, exit 2", arguments: oddLines.indices)
    func verify(_ index: Int) throws {
        let archive = try Archive(odd: Self.oddLines[index].line)
        let run = try archive.run("verify")
        let output = run.text + run.stderr
        #expect(run.status == 2, Comment(rawValue: Self.oddLines[index].name + ": " + output))
        #expect(output.contains(archive.file) && output.contains("a line at byte \(archive.oddOffset) of the decompressed data is not a stored event"), Comment(rawValue: output))
    }

    @Test("seal refuses the hour and leaves its file as it was", arguments: oddLines.indices)
    func seal(_ index: Int) throws {
        let archive = try Archive(odd: Self.oddLines[index].line)
        let before = try Data(contentsOf: URL(fileURLWithPath: archive.file))
        let run = try archive.run("seal", ["--grace", "0"])
        #expect(run.status != 0, Comment(rawValue: Self.oddLines[index].name + ": " + run.stderr))
        #expect(run.stderr.contains("a line is not a stored event"), Comment(rawValue: run.stderr))
        #expect(try Data(contentsOf: URL(fileURLWithPath: archive.file)) == before)
        #expect(!FileManager.default.fileExists(atPath: "\(archive.root)/\(Self.hour)/_SUCCESS"))
    }

    /// A seal manifest listing the archive's file, as a seal would write it, with `_SUCCESS`.
    static func markSealed(_ archive: Archive, lineRule: Int?, bytesDelta: Int64) throws {
        let size = try #require(FileManager.default.attributesOfItem(atPath: archive.file)[.size] as? Int64)
        let sha = try ProcessRunner.shell("sha256sum '\(archive.file)' | cut -d' ' -f1").text.trimmingCharacters(in: .whitespacesAndNewlines)
        var manifest: [String: Any] = [
            "format_version": 1, "partition": hour, "sealed_at": 1_773_500_000_000, "duplicates_dropped": 0, "sources": [[String: Any]](),
            "files": [["name": (archive.file as NSString).lastPathComponent, "bytes": size + bytesDelta, "sha256": sha, "events": 2,
                       "min_event_time": 1_773_480_000, "max_event_time": 1_773_480_001]],
        ]
        if let lineRule { manifest["line_rule"] = lineRule }
        let directory = "\(archive.root)/\(hour)"
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: "\(directory)/_MANIFEST.json"))
        _ = FileManager.default.createFile(atPath: "\(directory)/_SUCCESS", contents: Data())
    }

    @Test("a sealed file is trusted only when its manifest records the line rule and its present size", arguments: [(nil, 0), (1, 1)] as [(Int?, Int64)])
    func sealedByAnOlderVersion(lineRule: Int?, bytesDelta: Int64) throws {
        let odd = Array(#"{"event_uuid":"odd","event_time":1773480001,"event_uuid":"other"}"#.utf8)
        let archive = try Archive(odd: odd)
        try Self.markSealed(archive, lineRule: lineRule, bytesDelta: bytesDelta)
        let run = try archive.run("report", ["--date", Self.date])
        #expect(run.status == 2, Comment(rawValue: run.stderr))
        #expect(run.stderr.contains("\(archive.file) at byte \(archive.oddOffset): line is not a stored event"), Comment(rawValue: run.stderr))
    }
}
