import Foundation
import Testing

@Suite("several receivers on one root")
struct ScalingTests {
    @Test("two receivers writing to one root at once use their own file names, lose nothing, and seal to each event once")
    func twoReceiversShareARoot() throws {
        let directory = TestDirectory()
        let root = directory.file("archive")
        let bodies = directory.file("day.jsonl")
        #expect(try ProcessRunner.archive(["generate", "--events", "6000", "--seed", "4", "--date", GeneratedDay.date, "--out", bodies]).status == 0)
        let lines = try String(contentsOfFile: bodies, encoding: .utf8).split(separator: "\n")
        let halves = [directory.file("a.jsonl"), directory.file("b.jsonl")]
        try (lines.enumerated().filter { $0.offset % 2 == 0 }.map(\.element).joined(separator: "\n") + "\n").write(toFile: halves[0], atomically: true, encoding: .utf8)
        try (lines.enumerated().filter { $0.offset % 2 == 1 }.map(\.element).joined(separator: "\n") + "\n").write(toFile: halves[1], atomically: true, encoding: .utf8)

        let servers = try [ServerProcess(root: root), ServerProcess(root: root)]
        let replays = zip(servers, halves).map { server, half in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ProcessRunner.streamsArchive)
            process.arguments = ["replay", "--url", "http://127.0.0.1:\(server.port)/streams", "--input", half, "--concurrency", "4"]
            process.standardError = FileHandle.nullDevice
            return process
        }
        for replay in replays { try replay.run() }
        for replay in replays {
            replay.waitUntilExit()
            #expect(replay.terminationStatus == 0)
        }
        for server in servers { #expect(server.stop() == 0) }

        let files = directory.files(under: "archive/events") { $0.hasSuffix(".jsonl.gz") }
        let writers = Set(files.map { name in String(((name as NSString).lastPathComponent).dropFirst(5).split(separator: "-").dropLast().joined(separator: "-")) })
        #expect(writers.count == 2, "each receiver wrote under its own writer id: \(writers)")
        #expect(try ProcessRunner.run("gzip", ["-t"] + files).status == 0)
        let expected = Set(try Expectations.events(inBodiesFile: bodies).map { $0["event_uuid"] as! String })
        let stored = try Expectations.stored(root: root).map { $0.line["event_uuid"] as! String }
        #expect(Set(stored) == expected)

        #expect(try ProcessRunner.archive(["seal", "--root", root]).status == 0)
        let sealed = try Expectations.stored(root: root).map { $0.line["event_uuid"] as! String }
        #expect(sealed.count == expected.count && Set(sealed) == expected)
    }
}
