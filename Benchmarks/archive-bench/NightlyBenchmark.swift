import ArgumentParser
import Foundation
import StreamsArchive

/// The nightly pipeline on a generated raw day: its wall time and each step's, and the sealed size against the
/// raw files and against `gzip -9` of the same JSON lines, measured in the same run.
struct NightlyBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightly",
        abstract: "nightly wall time on a raw day; sealed size against the raw files and gzip -9 of the same lines."
    )

    @Option(help: "Distinct generated events.") var events = 1_000_000
    @Option(help: "Scratch directory (removed afterwards).") var scratch = NSTemporaryDirectory() + "archive-bench-nightly"
    @Option(help: "An older streams-archive binary whose nightly is timed on a copy of the same raw day, in the same run.") var baseline: String?

    static let date = "2026-03-14"

    func run() throws {
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let binary = Measure.streamsArchive
        let root = scratch + "/archive"
        try Measure.archivedDay(events: events, date: Self.date, root: root, scratch: scratch)
        let raw = try bytes(of: "find '\(root)/events' -name '*.jsonl.gz'")

        var baselineWall: Double?
        if let baseline {
            let copy = scratch + "/baseline"
            try Measure.shell("cp -a '\(root)' '\(copy)'")
            let started = Measure.seconds()
            try Measure.shell("'\(baseline)' nightly --root '\(copy)' --date \(Self.date) 2>/dev/null")
            baselineWall = Measure.seconds() - started
            try FileManager.default.removeItem(atPath: copy)
        }
        let started = Measure.seconds()
        try Measure.shell("'\(binary)' nightly --root '\(root)' --date \(Self.date) 2> '\(scratch)/nightly.log'")
        let wall = Measure.seconds() - started
        let sealed = try bytes(of: "find '\(root)/events' -name 'sealed-*.jsonl.gz'")
        let list = "find '\(root)/events' -name 'sealed-*.jsonl.gz' | sort"
        let plain = Int64(try Measure.output("\(list) | xargs zcat | wc -c").trimmingCharacters(in: .whitespacesAndNewlines))!
        let gzipStart = Measure.seconds()
        let gzip9 = Int64(try Measure.output("\(list) | xargs zcat | gzip -9 | wc -c").trimmingCharacters(in: .whitespacesAndNewlines))!
        let gzipSeconds = Measure.seconds() - gzipStart

        print("input: \(events) events archived raw by ingest: \(mb(raw)) of gzip level 6 members, retried copies included\n")
        print("| measure | value |")
        print("| --- | --- |")
        print("| `nightly` wall time (seal, report and timelines of two dates, verify) | \(String(format: "%.1f", wall)) s |")
        if let baselineWall {
            print("| baseline `nightly` on a copy of the same raw day, same run | \(String(format: "%.1f", baselineWall)) s |")
            print("| this build / baseline | **\(String(format: "%.2f", wall / baselineWall))** |")
        }
        print("| sealed files (libdeflate members of about 4 MiB, duplicates dropped) | \(mb(sealed)) |")
        print("| sealed / raw | **\(String(format: "%.3f", Double(sealed) / Double(raw)))** |")
        print("| `gzip -9` of the same lines as one stream (\(mb(plain)) of JSON; took \(String(format: "%.1f", gzipSeconds)) s on one core) | \(mb(gzip9)) |")
        print("| sealed / `gzip -9` | **\(String(format: "%.3f", Double(sealed) / Double(gzip9)))** |")
        print("\nsteps, from the run's log:\n")
        for line in try String(contentsOfFile: scratch + "/nightly.log", encoding: .utf8).split(separator: "\n") { print("    \(line)") }
    }

    private func bytes(of find: String) throws -> Int64 {
        Int64(try Measure.output("\(find) -printf '%s\\n' | awk '{ s += $1 } END { print s + 0 }'").trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    private func mb(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}
