import Foundation
import Logging
import StreamsArchive
import Testing

@Suite("crash safety of the writer")
struct CrashTests {
    /// 100 bodies of 100 events, all in one partition, with incompressible payloads so that one commit's
    /// member spans several writes.
    static func singlePartitionBodies() -> (text: String, uuidsPerBody: [[String]]) {
        var random = TestRandom(seed: 77)
        var lines: [String] = []
        var uuids: [[String]] = []
        for batch in 0..<100 {
            let events = (0..<100).map { index -> [String: Any] in
                let blob = (0..<25).map { _ in String(format: "%016llx", random.next()) }.joined()
                return Bodies.event(uuid: "crash-\(batch)-\(index)", time: 1_773_480_000 + index, extra: ["blob": blob])
            }
            uuids.append(events.map { $0["event_uuid"] as! String })
            lines.append(String(decoding: Bodies.body(events), as: UTF8.self).replacingOccurrences(of: "\n", with: ""))
        }
        return (lines.joined(separator: "\n") + "\n", uuids)
    }

    static func uuids(inLines lines: [String]) throws -> [String] {
        try lines.map { try Bodies.object(Array($0.utf8))["event_uuid"] as! String }
    }

    @Test("SIGKILL in the middle of an append leaves a file that, reopened, holds every committed line and passes gzip -t")
    func sigkillMidAppendLosesNothingCommitted() throws {
        let directory = TestDirectory()
        let (text, uuidsPerBody) = Self.singlePartitionBodies()
        let input = directory.file("bodies.jsonl")
        try Data(text.utf8).write(to: URL(fileURLWithPath: input))
        let root = directory.file("archive")

        // strace delays every pwrite by 0.3 s, so the test can see a member half written and kill the writer there.
        let tracer = Process()
        tracer.executableURL = URL(fileURLWithPath: try ProcessRunner.which("strace"))
        tracer.arguments = [
            "-f", "-qq", "-o", "/dev/null", "-e", "trace=pwrite64", "-e", "inject=pwrite64:delay_enter=300000",
            ProcessRunner.streamsArchive, "ingest", "--root", root, "--input", input, "--level", "1", "--commit-every", "40", "--checkpoints",
        ]
        let stdout = Pipe()
        tracer.standardOutput = stdout
        tracer.standardError = FileHandle.nullDevice
        try tracer.run()
        let checkpoint = String(decoding: stdout.fileHandleForReading.availableData, as: UTF8.self)
        #expect(checkpoint.hasPrefix("committed bodies=40 events=4000"))

        let open = try #require(directory.files(under: "archive/events") { ArchiveFileName.isInProgress($0) }.first)
        let committedSize = try Self.size(open)
        let deadline = Date().addingTimeInterval(60)
        while try Self.size(open) == committedSize && Date() < deadline { usleep(5000) }
        let writerPID = try #require(Int32(try ProcessRunner.run("pgrep", ["-P", "\(tracer.processIdentifier)"]).text.trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(writerPID, SIGKILL)
        tracer.waitUntilExit()

        let damage = try #require(throws: GzipReadError.self) { try GzipFileReader(path: open).verifyMembers() }
        #expect(damage.problem == .truncated, "the kill landed inside a member")
        #expect(damage.lastGoodOffset == committedSize)

        let (file, torn) = try InProgressFile.reopen(path: open, directory: .events(PartitionKey(eventTime: 1_773_480_000, channel: .email)), now: .epochSeconds(1_773_490_000))
        #expect(torn?.keptBytes == committedSize)
        #expect(try ProcessRunner.run("gzip", ["-t", open]).status == 0)
        let committed = Array(uuidsPerBody.prefix(40).joined())
        let afterRepair = try ProcessRunner.run("zcat", [open]).text.split(separator: "\n").map(String.init)
        #expect(try Self.uuids(inLines: afterRepair) == committed)

        let appended = #"{"event_uuid":"after-reopen","event_time":1773480000}"#
        try file.append(member: try GzipMemberEncoder(level: 6).member(of: Array((appended + "\n").utf8)), now: .epochSeconds(1_773_490_000))
        try file.sync()
        let afterAppend = try ProcessRunner.run("zcat", [open])
        #expect(afterAppend.status == 0)
        #expect(afterAppend.text.split(separator: "\n").map(String.init) == afterRepair + [appended])

        // The next writer recovers the dead writer's file and archives the whole input again; nothing is missing.
        let rerun = try ProcessRunner.archive(["ingest", "--root", root, "--input", input, "--level", "1"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(directory.files(under: "archive/events") { ArchiveFileName.isInProgress($0) }.isEmpty)
        let all = directory.files(under: "archive/events")
        for path in all { #expect(try ProcessRunner.run("gzip", ["-t", path]).status == 0) }
        let stored = try Self.uuids(inLines: try ProcessRunner.run("zcat", all).text.split(separator: "\n").map(String.init))
        #expect(Set(stored) == Set(uuidsPerBody.joined()).union(["after-reopen"]))
    }

    static func size(_ path: String) throws -> Int64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).int64Value
    }
}
