import Foundation
import StreamsArchive
import Testing

@Suite("streams-archive command line")
struct CommandLineTests {
    @Test("--help lists every command in SPEC.md")
    func helpListsEveryCommand() throws {
        let help = try ProcessRunner.archive(["--help"])
        #expect(help.status == 0)
        for command in ["serve", "seal", "report", "timelines", "timeline", "verify", "retain", "ship", "restore", "nightly", "generate", "replay"] {
            #expect(help.text.contains("  \(command) "), "\(command)")
        }
    }

    @Test(
        "bad flags get a usage error (exit 64) that names the flag",
        arguments: [
            (["generate", "--events", "0", "--date", "2026-03-14", "--out", "x"], "--events"),
            (["generate", "--events", "10", "--date", "2026-02-30", "--out", "x"], "--date"),
            (["ingest", "--input", "x", "--level", "12"], "--level"),
            (["ship", "--root", "x", "--to", "gs://bucket/prefix"], "--to"),
            (["retain", "--root", "x", "--keep-days", "1", "--ship-to", "s3://bucket/prefix", "--delete-unshipped"], "--delete-unshipped"),
            (["ship", "--root", "x", "--to", "s3://bucket/prefix", "--part-size", "12Q"], "--part-size"),
        ]
    )
    func badFlagsAreUsageErrors(arguments: [String], flag: String) throws {
        let output = try ProcessRunner.archive(arguments)
        #expect(output.status == 64)
        #expect(output.stderr.contains(flag))
    }

    @Test("ingest archives valid events and keeps invalid bodies and events under rejected/ with their reasons")
    func ingestKeepsRejectsWithReasons() throws {
        let directory = TestDirectory()
        let good = String(decoding: Bodies.body([Bodies.event(uuid: "ok-1"), Bodies.event(uuid: "bad", time: "soon")]), as: UTF8.self)
        let lines = [good.replacingOccurrences(of: "\n", with: ""), #"{"events": not json"#]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: directory.file("in.jsonl")))
        let output = try ProcessRunner.archive(["ingest", "--root", directory.file("archive"), "--input", directory.file("in.jsonl")])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.contains("1 events archived, 1 events and 1 bodies rejected"))
        let rejected = directory.files(under: "archive/rejected") { ArchiveFileName.isFinished($0) }
        let records = try ProcessRunner.run("zcat", rejected).text.split(separator: "\n").map { try! Bodies.object(Array($0.utf8)) }
        #expect(records.count == 2)
        let event = try #require(records.first { $0["event"] != nil })
        #expect(event["reason"] as? String == "event_time must be a number, found a string")
        #expect((event["event"] as? NSDictionary)?["event_uuid"] as? String == "bad")
        let body = try #require(records.first { $0["body"] != nil })
        #expect(body["body"] as? String == #"{"events": not json"#)
        #expect((body["reason"] as? String)?.hasPrefix("body is not valid JSON") == true)
    }

    @Test("ingest fails with exit 1 and a message naming the file when the input is missing")
    func ingestReportsMissingInput() throws {
        let directory = TestDirectory()
        let output = try ProcessRunner.archive(["ingest", "--root", directory.file("archive"), "--input", directory.file("nope.jsonl")])
        #expect(output.status == 1)
        #expect(output.stderr.contains("nope.jsonl") && output.stderr.contains("No such file"))
    }
}
