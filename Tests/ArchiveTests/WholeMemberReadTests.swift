import Foundation
import StreamsArchive
import Testing

/// `GzipFileReader` inflates whole members with libdeflate and hands the rest of a file to zlib at the first
/// member libdeflate cannot take. The oracle for each test is the same file read by zlib alone (a read buffer
/// of 7 bytes holds no whole member), or zcat.
@Suite("gzip reader: whole members through libdeflate, zlib from the first it cannot take")
struct WholeMemberReadTests {
    /// `members(count)` written to the file `name` in `directory`.
    static func membersFile(
        _ count: Int, named name: String, in directory: TestDirectory
    ) throws -> (path: String, file: [UInt8], lines: [String], largest: Int) {
        let (file, lines, largest) = try members(count)
        let path = directory.file(name)
        try Data(file).write(to: URL(fileURLWithPath: path))
        return (path, file, lines, largest)
    }

    /// Members of varied sizes (one line up to hundreds of KB), some from zlib, some from libdeflate.
    static func members(_ count: Int) throws -> (file: [UInt8], lines: [String], largest: Int) {
        let zlib = try GzipMemberEncoder(level: 6)
        let libdeflate = try WholeMemberCompressor(level: 7)
        var file: [UInt8] = []
        var lines: [String] = []
        var largest = 0
        for member in 0..<count {
            let before = file.count
            defer { largest = max(largest, file.count - before) }
            let part = GzipCodecTests.sampleLines(1 + (member * 397) % 2000, seed: member * 10_000)
            let data = Array(GzipCodecTests.joined(part))
            if member.isMultiple(of: 2) {
                file += try zlib.member(of: data)
            } else {
                data.withUnsafeBytes { libdeflate.appendMember(of: $0, to: &file) }
            }
            lines += part
        }
        return (file, lines, largest)
    }

    static func read(_ path: String, readBufferSize: Int = 1 << 20) -> (lines: [String], reader: GzipFileReader, error: GzipReadError?) {
        let reader = GzipFileReader(path: path, readBufferSize: readBufferSize)
        var lines: [String] = []
        do {
            try reader.forEachLine { lines.append(String(decoding: $0, as: UTF8.self)) }
            return (lines, reader, nil)
        } catch {
            return (lines, reader, error as? GzipReadError)
        }
    }

    @Test("a file of many members reads whole through libdeflate, with the lines, counts and offsets zlib gives")
    func wholeMembersMatchZlib() throws {
        let directory = TestDirectory()
        let (path, file, lines, _) = try Self.membersFile(40, named: "members.gz", in: directory)
        let whole = Self.read(path)
        let zlib = Self.read(path, readBufferSize: 7)
        #expect(whole.error == nil && zlib.error == nil)
        #expect(whole.lines == lines)
        #expect(zlib.lines == lines)
        #expect(whole.reader.streamingFrom == nil, "libdeflate should have taken every member")
        #expect(zlib.reader.streamingFrom == 0)
        #expect(whole.reader.memberCount == 40 && zlib.reader.memberCount == 40)
        #expect(whole.reader.lastGoodOffset == Int64(file.count))
        #expect(whole.reader.compressedBytesRead == Int64(file.count) && zlib.reader.compressedBytesRead == Int64(file.count))
        #expect(whole.reader.uncompressedBytes == zlib.reader.uncompressedBytes)
    }

    @Test("a damaged member after whole ones is reported at the same offset, after the same lines, as zlib alone reports")
    func damageAfterWholeMembersMatchesZlib() throws {
        let directory = TestDirectory()
        let (good, _, _) = try Self.members(6)
        let encoder = try GzipMemberEncoder(level: 6)
        var bad = try encoder.member(of: Array(GzipCodecTests.joined(GzipCodecTests.sampleLines(400, seed: 77))))
        bad[bad.count / 2] ^= 0x5A  // inside the deflate data
        let path = directory.file("damaged.gz")
        try Data(good + bad + good).write(to: URL(fileURLWithPath: path))
        let whole = Self.read(path)
        let zlib = Self.read(path, readBufferSize: 7)
        let wholeError = try #require(whole.error)
        let zlibError = try #require(zlib.error)
        #expect(wholeError.lastGoodOffset == Int64(good.count))
        #expect(wholeError.lastGoodOffset == zlibError.lastGoodOffset)
        #expect(wholeError.problem == zlibError.problem)
        #expect(whole.reader.streamingFrom == Int64(good.count))
        #expect(whole.lines.count >= 6 && whole.lines == zlib.lines, "lines before the damage: \(whole.lines.count) against zlib's \(zlib.lines.count)")
    }

    @Test("a member larger than the whole-member limit is streamed by zlib with the rest of its file")
    func memberOverLimitIsStreamed() throws {
        let directory = TestDirectory()
        let smallLines = GzipCodecTests.sampleLines(20)
        let small = try GzipMemberEncoder(level: 6).member(of: Array(GzipCodecTests.joined(smallLines)))
        let bigLines = GzipCodecTests.sampleLines(3000, seed: 500_000)
        let big = try GzipMemberEncoder(level: 1).member(of: Array(GzipCodecTests.joined(bigLines)))
        let path = directory.file("big.gz")
        try Data(small + big + small).write(to: URL(fileURLWithPath: path))
        let buffers = GzipReadBuffers(wholeMemberLimit: 64 << 10)
        let reader = GzipFileReader(path: path, buffers: buffers)
        let lines = try reader.readAllLines().map { String(decoding: $0, as: UTF8.self) }
        #expect(lines == smallLines + bigLines + smallLines)
        #expect(reader.streamingFrom == Int64(small.count))
        #expect(reader.memberCount == 3)
    }

    @Test("a member whose compressed bytes straddle the read-ahead is read again whole, not handed to zlib")
    func memberStraddlingReadAheadIsReadWhole() throws {
        let directory = TestDirectory()
        let (path, _, lines, largest) = try Self.membersFile(40, named: "members.gz", in: directory)
        // Read-ahead just over the largest member: the reader refills when less than half is left, so the
        // larger members often start in one buffer's worth and end past it.
        let reader = GzipFileReader(path: path, readBufferSize: largest + largest / 8)
        #expect(try reader.readAllLines().map { String(decoding: $0, as: UTF8.self) } == lines)
        #expect(reader.streamingFrom == nil)
    }

    @Test("one set of buffers read file after file gives each file's own lines")
    func reusedBuffersKeepFilesApart() throws {
        let directory = TestDirectory()
        let (first, firstLines, _) = try Self.members(9)
        let secondLines = GzipCodecTests.sampleLines(50, seed: 900_000)
        let second = try GzipMemberEncoder(level: 6).member(of: Array(GzipCodecTests.joined(secondLines)))
        try Data(first).write(to: URL(fileURLWithPath: directory.file("a.gz")))
        try Data(second).write(to: URL(fileURLWithPath: directory.file("b.gz")))
        let buffers = GzipReadBuffers()
        let a = try GzipFileReader(path: directory.file("a.gz"), buffers: buffers).readAllLines().map { String(decoding: $0, as: UTF8.self) }
        let b = try GzipFileReader(path: directory.file("b.gz"), buffers: buffers).readAllLines().map { String(decoding: $0, as: UTF8.self) }
        #expect(a == firstLines)
        #expect(b == secondLines)
    }

    @Test("a read buffer of one byte reads every line, through zlib")
    func oneByteBufferReadsEverything() throws {
        let directory = TestDirectory()
        let (path, file, lines, _) = try Self.membersFile(3, named: "tiny.gz", in: directory)
        let read = Self.read(path, readBufferSize: 1)
        #expect(read.error == nil)
        #expect(read.lines == lines)
        #expect(read.reader.compressedBytesRead == Int64(file.count))
    }

    @Test("a member whose header CRC (FHCRC) is wrong is refused, as zlib refuses it")
    func wrongHeaderCRCIsRefused() throws {
        let directory = TestDirectory()
        let good = try GzipMemberEncoder(level: 6).member(of: Array(GzipCodecTests.joined(GzipCodecTests.sampleLines(20))))
        var flagged = Array(good[0..<10])
        flagged[3] |= 0x02  // FHCRC: two bytes of header CRC follow the fixed header
        flagged += [0x00, 0x00] + good[10...]
        let path = directory.file("fhcrc.gz")
        try Data(good + flagged).write(to: URL(fileURLWithPath: path))
        let error = try #require(Self.read(path).error)
        #expect(error.lastGoodOffset == Int64(good.count))
        #expect(error.problem == Self.read(path, readBufferSize: 7).error?.problem)
        guard case .corrupt(let reason) = error.problem else {
            Issue.record("expected a corrupt member, got \(error.problem)")
            return
        }
        #expect(reason.contains("header crc"), "zlib's reason: \(reason)")
    }

    @Test("a byte range of whole members reads only those members")
    func rangeReadsOnlyItsMembers() throws {
        let directory = TestDirectory()
        let encoder = try GzipMemberEncoder(level: 6)
        let parts = (0..<3).map { GzipCodecTests.sampleLines(200, seed: $0 * 1000) }
        let members = try parts.map { try encoder.member(of: Array(GzipCodecTests.joined($0))) }
        let path = directory.file("ranged.gz")
        try Data(members.joined()).write(to: URL(fileURLWithPath: path))
        let start = Int64(members[0].count)
        let reader = GzipFileReader(path: path, range: start..<(start + Int64(members[1].count)))
        #expect(try reader.readAllLines().map { String(decoding: $0, as: UTF8.self) } == parts[1])
        #expect(reader.streamingFrom == nil)
        #expect(reader.lastGoodOffset == start + Int64(members[1].count))
    }
}
