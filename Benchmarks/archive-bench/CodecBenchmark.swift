import ArgumentParser
import Foundation
import Logging
import StreamsArchive
import StreamsTraffic

/// Writer and reader throughput on a generated day's stored lines, against gzip and zcat on the same bytes.
struct CodecBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Writer throughput at levels 1 and 6 against gzip -1/-6; reader throughput against zcat."
    )

    @Option(help: "Distinct generated events.") var events = 300_000
    @Option(help: "Timed runs per measurement; the best is kept.") var runs = 3
    @Option(help: "Scratch directory (removed afterwards).") var scratch = NSTemporaryDirectory() + "archive-bench-codec"

    func run() throws {
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        let (lines, partitions) = try storedLines()
        let raw = scratch + "/raw.jsonl"
        try Data(lines.joined()).write(to: URL(fileURLWithPath: raw))
        let bytes = try Measure.size(raw)
        let megabytes = Double(bytes) / 1e6
        print("input: \(lines.count) stored lines (generated day, \(events) events + retries), \(String(format: "%.1f", megabytes)) MB of JSONL, best of \(runs)\n")
        print("| what | ours s | peer s | ours MB/s | ours events/s | peer MB/s | ratio (ours/peer speed) | size ours / peer |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")

        for level in [Int32(1), 6] {
            let encoder = try GzipMemberEncoder(level: level)
            var encodedSize = 0
            let encode = try Measure.best(runs) {
                let file = try POSIXFile.createTruncating(scratch + "/ours-\(level).gz")
                var member: [UInt8] = []
                member.reserveCapacity(4 << 20)
                for start in stride(from: 0, to: lines.count, by: 1000) {
                    let chunk = Array(lines[start..<min(start + 1000, lines.count)].joined())
                    member.removeAll(keepingCapacity: true)
                    try withBytes(chunk) { (raw) throws(CodecError) in try encoder.appendMember(of: raw, to: &member) }
                    try member.withUnsafeBytes { try file.write($0) }
                }
                encodedSize = try Measure.size(scratch + "/ours-\(level).gz")
            }
            let peer = try Measure.best(runs) { try Measure.shell("gzip -\(level) -c '\(raw)' > '\(scratch)/peer-\(level).gz'") }
            let peerSize = try Measure.size(scratch + "/peer-\(level).gz")
            row("encoder, members of 1,000 lines, level \(level) vs gzip -\(level)", encode, peer, megabytes, lines.count, sizes: (encodedSize, peerSize))

            var durableSize = 0
            let durable = try Measure.best(runs) { durableSize = try durableWrite(lines, partitions, level: level) }
            row("PartitionWriter (stage, member, pwrite, fsync; commits of 5,000 events over the day's partitions), level \(level) vs gzip -\(level)",
                durable, peer, megabytes, lines.count, sizes: (durableSize, peerSize))
        }

        let gzipped = scratch + "/peer-6.gz"
        var count = 0
        let ours = try Measure.best(runs) {
            count = 0
            try GzipFileReader(path: gzipped).forEachLine { _ in count += 1 }
        }
        guard count == lines.count else { throw BenchFailure("reader saw \(count) lines, expected \(lines.count)") }
        let zcat = try Measure.best(runs) { try Measure.shell("zcat '\(gzipped)' > /dev/null") }
        row("GzipFileReader line by line vs zcat > /dev/null (gzip -6 file)", ours, zcat, megabytes, lines.count, sizes: nil)

        let multi = scratch + "/ours-6.gz"
        let oursMulti = try Measure.best(runs) { try GzipFileReader(path: multi).forEachLine { _ in } }
        let zcatMulti = try Measure.best(runs) { try Measure.shell("zcat '\(multi)' > /dev/null") }
        row("GzipFileReader vs zcat on our multi-member file (level 6)", oursMulti, zcatMulti, megabytes, lines.count, sizes: nil)
    }

    /// The generated day as the receiver would store it: (lines with newline, partition of each).
    private func storedLines() throws -> ([[UInt8]], [PartitionDirectory]) {
        var lines: [[UInt8]] = []
        var partitions: [PartitionDirectory] = []
        let parser = EnvelopeParser()
        let generator = TrafficGenerator(options: .init(events: events, date: UTCDate("2026-03-14")!, seed: 1))
        try generator.forEachBody { body in
            let batch = try parser.parse(body, receivedAt: UTCInstant(millisecondsSinceEpoch: 1_773_532_800_000))
            for event in batch.accepted {
                lines.append(event.line + [0x0A])
                partitions.append(.events(event.partition))
            }
        }
        return (lines, partitions)
    }

    /// Writes every line through the durable writer, committing every 5,000 lines; returns bytes on disk.
    private func durableWrite(_ lines: [[UInt8]], _ partitions: [PartitionDirectory], level: Int32) throws -> Int {
        let root = scratch + "/durable-\(level)"
        try? FileManager.default.removeItem(atPath: root)
        let layout = ArchiveLayout(root: root)
        let identity = try WriterIdentity(layout: layout)
        let writer = try PartitionWriter(layout: layout, identity: identity, options: .init(level: level), logger: Logger(label: "bench"))
        var written = 0
        for (index, line) in lines.enumerated() {
            writer.stage(line.dropLast(), in: partitions[index])
            if index % 5000 == 4999 { written += try writer.commit(now: UTCInstant(secondsSinceEpoch: 1_773_532_800)).compressedBytes }
        }
        written += try writer.commit(now: UTCInstant(secondsSinceEpoch: 1_773_532_800)).compressedBytes
        try writer.finishAll()
        try identity.retire()
        return written
    }

    private func row(_ label: String, _ ours: Double, _ peer: Double, _ megabytes: Double, _ lines: Int, sizes: (Int, Int)?) {
        let sizeText = sizes.map { String(format: "%.3f", Double($0.0) / Double($0.1)) } ?? "—"
        print(
            "| \(label) | \(String(format: "%.2f", ours)) | \(String(format: "%.2f", peer)) | \(String(format: "%.0f", megabytes / ours)) | "
                + "\(String(format: "%.0f", Double(lines) / ours)) | \(String(format: "%.0f", megabytes / peer)) | **\(String(format: "%.2f", peer / ours))×** | \(sizeText) |"
        )
    }
}
