import Foundation
import StreamsArchive
import Testing

/// Sealed files are gzip members of about 4 MiB compressed by libdeflate on every core: standard gzip that
/// zcat and Python read, smaller than `gzip -9` of the same lines.
@Suite("sealed members")
struct SealedMembersTests {
    @Test("a generated push blast (one hour, 15 MB of lines) is sealed as several members that gzip -t accepts, our reader inflates whole, zcat and Python's gzip read to our lines, smaller than gzip -9")
    func largeHourIsSeveralStandardMembers() throws {
        let directory = TestDirectory()
        let root = directory.file("archive")
        let bodies = directory.file("bodies.jsonl")
        let generate = try ProcessRunner.archive(["generate", "--events", "20000", "--date", GeneratedDay.date, "--shape", "busy-hour", "--out", bodies])
        try #require(generate.status == 0, Comment(rawValue: generate.stderr))
        try #require(try ProcessRunner.archive(["ingest", "--root", root, "--input", bodies]).status == 0)
        try #require(try ProcessRunner.archive(["seal", "--root", root, "--grace", "0"]).status == 0)
        let hour = "\(root)/events/date=\(GeneratedDay.date)/channel=push/hour=12"
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: hour).first { $0.hasPrefix("sealed-") })
        let path = "\(hour)/\(name)"
        let reader = GzipFileReader(path: path)
        var ours = Data()
        try reader.forEachLine { ours.append(contentsOf: $0); ours.append(0x0A) }
        #expect(reader.memberCount >= 3, "\(reader.memberCount) members for \(ours.count) bytes")
        #expect(reader.streamingFrom == nil, "every member inflated whole by libdeflate; zlib took over at byte \(reader.streamingFrom ?? -1)")
        #expect(ours.split(separator: 0x0A).count == 20_000)

        #expect(try ProcessRunner.run("gzip", ["-t", path]).status == 0)
        #expect(try ProcessRunner.run("zcat", [path]).stdout == ours)
        let python = try ProcessRunner.run("python3", ["-c", "import gzip, sys; sys.stdout.buffer.write(gzip.open(sys.argv[1]).read())", path])
        #expect(python.stdout == ours)

        let plain = directory.file("lines.jsonl")
        try ours.write(to: URL(fileURLWithPath: plain))
        let gzip9 = try ProcessRunner.run("gzip", ["-9", "-c", plain]).stdout.count
        let sealed = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(sealed <= gzip9, "sealed \(sealed) bytes, gzip -9 \(gzip9)")
    }

    @Test("the same hour sealed with one worker or two, in memory or through the disk, gives the same bytes")
    func membersDoNotDependOnWorkersOrBudget() throws {
        let hour = try SkewedHour(events: 30_000)
        let copy = hour.directory.file("copy")
        #expect(try ProcessRunner.run("cp", ["-a", hour.root, copy]).status == 0)
        #expect(try ProcessRunner.archive(["seal", "--root", hour.root, "--grace", "0", "--workers", "2"]).status == 0)
        #expect(try ProcessRunner.archive(["seal", "--root", copy, "--grace", "0", "--workers", "1", "--memory-budget", "1M"]).status == 0)
        #expect(try hour.sealedBytes() == hour.sealedBytes(root: copy))
    }
}
