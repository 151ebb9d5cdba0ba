import Foundation
import StreamsArchive
import Testing

@Suite("gzip codec over CZlib")
struct GzipCodecTests {
    /// Lines with unicode and JSON punctuation, long enough to span the reader's buffers.
    static func sampleLines(_ count: Int, seed: Int = 0) -> [String] {
        (0..<count).map { index in
            #"{"n":\#(index + seed),"name":"Café, \"quoted\" ☕ \\ line","pad":"\#(String(repeating: "x", count: index % 300))"}"#
        }
    }

    static func joined(_ lines: [String]) -> Data { Data((lines.joined(separator: "\n") + "\n").utf8) }

    @Test("a member we write passes gzip -t and reads back through zcat", arguments: [Int32(1), 6, 9])
    func writtenMemberPassesGzipAndZcat(level: Int32) throws {
        let directory = TestDirectory()
        let data = Self.joined(Self.sampleLines(2000))
        let encoder = try GzipMemberEncoder(level: level)
        let path = directory.file("a.jsonl.gz")
        try Data(encoder.member(of: Array(data))).write(to: URL(fileURLWithPath: path))
        #expect(try ProcessRunner.run("gzip", ["-t", path]).status == 0)
        #expect(try ProcessRunner.run("zcat", [path]).stdout == data)
    }

    @Test("several members appended to one file read back through zcat in order")
    func appendedMembersReadBackThroughZcat() throws {
        let directory = TestDirectory()
        let encoder = try GzipMemberEncoder(level: 6)
        var file: [UInt8] = []
        var expected = Data()
        for part in 0..<5 {
            let data = Self.joined(Self.sampleLines(300, seed: part * 1000))
            file += try encoder.member(of: Array(data))
            expected += data
        }
        let path = directory.file("multi.jsonl.gz")
        try Data(file).write(to: URL(fileURLWithPath: path))
        #expect(try ProcessRunner.run("gzip", ["-t", path]).status == 0)
        #expect(try ProcessRunner.run("zcat", [path]).stdout == expected)
    }

    @Test("what gzip writes at -1 and -9 we read back exactly", arguments: ["-1", "-9"])
    func readsSystemGzipOutput(flag: String) throws {
        let directory = TestDirectory()
        let lines = Self.sampleLines(5000)
        let plain = directory.file("plain.jsonl")
        try Self.joined(lines).write(to: URL(fileURLWithPath: plain))
        try ProcessRunner.shell("gzip \(flag) -c '\(plain)' > '\(plain).gz'")
        let read = try GzipFileReader(path: plain + ".gz").readAllLines().map { String(decoding: $0, as: UTF8.self) }
        #expect(read == lines)
    }

    @Test("a concatenation of gzip files (cat a.gz b.gz) reads back whole")
    func readsConcatenatedGzipFiles() throws {
        let directory = TestDirectory()
        let first = Self.sampleLines(700)
        let second = Self.sampleLines(900, seed: 10_000)
        try Self.joined(first).write(to: URL(fileURLWithPath: directory.file("a")))
        try Self.joined(second).write(to: URL(fileURLWithPath: directory.file("b")))
        try ProcessRunner.shell("cd '\(directory.path)' && gzip -1 a && gzip -9 b && cat a.gz b.gz > both.gz")
        let read = try GzipFileReader(path: directory.file("both.gz")).readAllLines().map { String(decoding: $0, as: UTF8.self) }
        #expect(read == first + second)
    }

    @Test("lines that span read and inflate buffers come back whole, with small buffers")
    func linesSpanningBuffersComeBackWhole() throws {
        let directory = TestDirectory()
        let lines = Self.sampleLines(3000)
        let path = directory.file("span.gz")
        try Data(GzipMemberEncoder(level: 6).member(of: Array(Self.joined(lines)))).write(to: URL(fileURLWithPath: path))
        let reader = GzipFileReader(path: path, readBufferSize: 7)
        #expect(try reader.readAllLines().map { String(decoding: $0, as: UTF8.self) } == lines)
        #expect(reader.memberCount == 1)
    }

    @Test("a torn last member stops the reader with the file and the offset of the last good member")
    func tornMemberNamesFileAndOffset() throws {
        let directory = TestDirectory()
        let encoder = try GzipMemberEncoder(level: 6)
        let good = try encoder.member(of: Array(Self.joined(Self.sampleLines(100))))
        let next = try encoder.member(of: Array(Self.joined(Self.sampleLines(100, seed: 500))))
        let path = directory.file("torn.gz")
        try Data(good + next.prefix(next.count / 2)).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: GzipReadError.self) { try GzipFileReader(path: path).verifyMembers() }
        #expect(error.problem == .truncated)
        #expect(error.lastGoodOffset == Int64(good.count))
        #expect(error.file == path)
        #expect(error.description.contains(path) && error.description.contains("\(good.count)"))
    }

    @Test("a member with a bad CRC is reported as corrupt at its start")
    func badCRCIsCorruptAtMemberStart() throws {
        let directory = TestDirectory()
        let encoder = try GzipMemberEncoder(level: 6)
        let good = try encoder.member(of: Array(Self.joined(Self.sampleLines(50))))
        var bad = try encoder.member(of: Array(Self.joined(Self.sampleLines(50, seed: 99))))
        bad[bad.count - 6] ^= 0xFF  // inside the CRC-32 of the trailer
        let path = directory.file("crc.gz")
        try Data(good + bad + good).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: GzipReadError.self) { try GzipFileReader(path: path).verifyMembers() }
        guard case .corrupt(let reason) = error.problem else {
            Issue.record("expected a corrupt member, got \(error.problem)")
            return
        }
        #expect(reason.contains("check"))
        #expect(error.lastGoodOffset == Int64(good.count))
    }

    @Test("bytes after the last member that are not gzip are reported, not ignored")
    func trailingGarbageIsReported() throws {
        let directory = TestDirectory()
        let good = try GzipMemberEncoder(level: 1).member(of: Array("{\"a\":1}\n".utf8))
        let path = directory.file("garbage.gz")
        try Data(good + Array("not gzip".utf8)).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: GzipReadError.self) { try GzipFileReader(path: path).verifyMembers() }
        #expect(error.lastGoodOffset == Int64(good.count))
    }

    @Test("a line longer than the bound stops the reader instead of growing memory")
    func overlongLineIsRefused() throws {
        let directory = TestDirectory()
        let path = directory.file("long.gz")
        let line = Array(repeating: UInt8(ascii: "a"), count: 100_000) + [0x0A]
        try Data(GzipMemberEncoder(level: 1).member(of: line)).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: GzipReadError.self) {
            try GzipFileReader(path: path, maxLineBytes: 10_000).forEachLine { _ in }
        }
        #expect(error.problem == .lineTooLong(limit: 10_000))
    }

    @Test("levels outside 1…9 are refused with a message")
    func invalidLevelIsRefused() {
        #expect(throws: GzipSetupError.self) { try GzipMemberEncoder(level: 0) }
        #expect(throws: GzipSetupError.self) { try GzipMemberEncoder(level: 10) }
    }
}
