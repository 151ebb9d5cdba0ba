import ArgumentParser
import Foundation
import StreamsArchive

/// How sealed hours are compressed: zlib's level 9 as one streamed member per hour (what seal did before)
/// against libdeflate at several levels in members of 4 MiB, on one core, on the lines of a sealed generated
/// day; `gzip -9` of the same lines as one stream is the peer for size and speed.
struct SealingBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sealing",
        abstract: "Sealed-member compression: zlib level 9 against libdeflate levels, against gzip -9, one core."
    )

    @Option(help: "Distinct generated events.") var events = 300_000
    @Option(help: "Timed runs per measurement; the best is kept.") var runs = 3
    @Option(help: "Scratch directory (removed afterwards).") var scratch = NSTemporaryDirectory() + "archive-bench-sealing"

    func run() throws {
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let root = scratch + "/archive"
        try Measure.archivedDay(events: events, date: "2026-03-14", root: root, scratch: scratch)
        try Measure.shell("'\(Measure.streamsArchive)' seal --root '\(root)' --grace 0 2>/dev/null")
        let files = try Measure.output("find '\(root)/events' -name 'sealed-*.jsonl.gz' | sort").split(separator: "\n").map(String.init)
        var hours: [[UInt8]] = []
        for file in files {
            var lines: [UInt8] = []
            try GzipFileReader(path: file).forEachLine { line in
                lines.append(contentsOf: line)
                lines.append(0x0A)
            }
            hours.append(lines)
        }
        let plain = scratch + "/sealed-lines.jsonl"
        try Data(hours.joined()).write(to: URL(fileURLWithPath: plain))
        let megabytes = Double(hours.reduce(0) { $0 + $1.count }) / 1e6
        var gzipSize = 0
        let gzip = try Measure.best(runs) {
            try Measure.shell("gzip -9 -c '\(plain)' > '\(scratch)/peer.gz'")
            gzipSize = try Measure.size(scratch + "/peer.gz")
        }
        print("input: the \(hours.count) sealed hours of a generated day of \(events) events, \(String(format: "%.1f", megabytes)) MB of JSON lines; one core, best of \(runs)\n")
        print("| compressor | seconds | MB/s | speed / zlib 9 | speed / `gzip -9` | size | size / `gzip -9` |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        var zlibSize = 0
        let zlib = try Measure.best(runs) { zlibSize = try zlibOneMemberPerHour(hours) }
        func row(_ label: String, _ seconds: Double, _ size: Int) {
            print(
                "| \(label) | \(String(format: "%.2f", seconds)) | \(String(format: "%.0f", megabytes / seconds)) | \(String(format: "%.2f", zlib / seconds))× | "
                    + "\(String(format: "%.2f", gzip / seconds))× | \(String(format: "%.2f", Double(size) / 1e6)) MB | **\(String(format: "%.3f", Double(size) / Double(gzipSize)))** |"
            )
        }
        row("`gzip -9`, one stream of every hour", gzip, gzipSize)
        row("zlib level 9, one member per hour (seal before)", zlib, zlibSize)
        for level in [Int32(6), 7, 8, 9] {
            var size = 0
            let seconds = try Measure.best(runs) { size = try libdeflateMembers(hours, level: level) }
            row("libdeflate level \(level), members of 4 MiB\(level == PartitionSealer.level ? " (seal now)" : "")", seconds, size)
        }
    }

    /// Bytes of every hour compressed by zlib as one member, fed 1 MiB at a time as seal fed it.
    private func zlibOneMemberPerHour(_ hours: [[UInt8]]) throws -> Int {
        let encoder = try GzipMemberEncoder(level: 9)
        var total = 0
        var output: [UInt8] = []
        for hour in hours {
            try hour.withUnsafeBytes { raw in
                var start = 0
                repeat {
                    let end = min(start + (1 << 20), raw.count)
                    try encoder.stream(UnsafeRawBufferPointer(rebasing: raw[start..<end]), finish: end == raw.count, into: &output)
                    total += output.count
                    output.removeAll(keepingCapacity: true)
                    start = end
                } while start < raw.count
            }
        }
        return total
    }

    /// Bytes of every hour cut into members of 4 MiB (at line ends) and compressed by libdeflate.
    private func libdeflateMembers(_ hours: [[UInt8]], level: Int32) throws -> Int {
        let compressor = try WholeMemberCompressor(level: level)
        var total = 0
        var output: [UInt8] = []
        for hour in hours {
            hour.withUnsafeBytes { raw in
                var start = 0
                repeat {
                    var end = min(start + (4 << 20), raw.count)
                    while end < raw.count && raw[end - 1] != 0x0A { end += 1 }
                    compressor.appendMember(of: UnsafeRawBufferPointer(rebasing: raw[start..<end]), to: &output)
                    total += output.count
                    output.removeAll(keepingCapacity: true)
                    start = end
                } while start < raw.count
            }
        }
        return total
    }
}
