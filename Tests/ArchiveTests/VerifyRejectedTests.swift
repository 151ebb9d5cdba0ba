import Foundation
import Testing

/// `verify` covers every file the archive owns: `rejected/` too.
@Suite("verify reads rejected/")
struct VerifyRejectedTests {
    /// An archive holding one accepted event and, under rejected/, one rejected event and one refused body.
    static func archive(in directory: TestDirectory) throws -> (root: String, rejected: String) {
        let bodies = directory.file("bodies.jsonl")
        let good = String(decoding: Bodies.body([Bodies.event(uuid: "kept"), Bodies.event(uuid: "bad-time", time: "yesterday")]), as: UTF8.self)
        try (good.replacingOccurrences(of: "\n", with: "") + "\nthis body is not JSON\n").write(toFile: bodies, atomically: true, encoding: .utf8)
        let root = directory.file("archive")
        let ingest = try ProcessRunner.archive(["ingest", "--root", root, "--input", bodies])
        try #require(ingest.status == 0, Comment(rawValue: ingest.stderr))
        let rejected = try #require(directory.files(under: "archive/rejected") { $0.hasSuffix(".jsonl.gz") }.first)
        return (root, rejected)
    }

    @Test("a clean rejected/ is read and counted, exit 0")
    func cleanRejectedIsCounted() throws {
        let directory = TestDirectory()
        let (root, _) = try Self.archive(in: directory)
        let run = try ProcessRunner.archive(["verify", "--root", root])
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        #expect(run.stderr.contains(" 2 rejection records"), Comment(rawValue: run.stderr))
    }

    @Test("a flipped byte in a rejected file is found and named, exit 2")
    func damagedRejectedFileIsFound() throws {
        let directory = TestDirectory()
        let (root, rejected) = try Self.archive(in: directory)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: rejected))
        bytes[bytes.count - 6] ^= 0x01  // inside the last member's length trailer
        try bytes.write(to: URL(fileURLWithPath: rejected))
        let run = try ProcessRunner.archive(["verify", "--root", root])
        #expect(run.status == 2)
        #expect(run.stderr.contains("damaged: \(rejected): gzip damaged"), Comment(rawValue: run.stderr))
    }

    @Test("a line under rejected/ that is not a rejection record is found, exit 2")
    func foreignLineInRejectedIsFound() throws {
        let directory = TestDirectory()
        let (root, rejected) = try Self.archive(in: directory)
        let plain = directory.file("foreign.txt")
        try "{\"no\":\"reason\"}\n".write(toFile: plain, atomically: true, encoding: .utf8)
        let appended = try ProcessRunner.shell("gzip -c '\(plain)' >> '\(rejected)'")
        try #require(appended.status == 0)
        let run = try ProcessRunner.archive(["verify", "--root", root])
        #expect(run.status == 2)
        #expect(run.stderr.contains("\(rejected): a line at byte") && run.stderr.contains("is not a rejection record"), Comment(rawValue: run.stderr))
    }
}
