import ArgumentParser
import Foundation
import StreamsArchive

/// The nightly pipeline on a generated raw day: its wall time and each step's, and the sealed size against the
/// raw files and against `gzip -9` of the same JSON lines, measured in the same run. With `--baseline`, the two
/// builds take turns, each on a fresh copy of the raw day, `--runs` times, so a noisy neighbour slows both
/// alike; the table gives each one's fastest and median run.
struct NightlyBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightly",
        abstract: "nightly wall time on a raw day; sealed size against the raw files and gzip -9 of the same lines."
    )

    @Option(help: "Distinct generated events.") var events = 1_000_000
    @Option(help: "Scratch directory (removed afterwards).") var scratch = NSTemporaryDirectory() + "archive-bench-nightly"
    @Option(help: "An older streams-archive binary whose nightly is timed on a copy of the same raw day, in the same run.") var baseline: String?
    @Option(help: "Runs of each build, taking turns (each on a fresh copy of the raw day).") var runs = 3

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    static let date = "2026-03-14"

    func run() throws {
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let binary = Measure.streamsArchive
        let root = scratch + "/archive"
        try Measure.archivedDay(events: events, date: Self.date, root: root, scratch: scratch)
        let raw = try bytes(of: "find '\(root)/events' -name '*.jsonl.gz'")

        let pristine = scratch + "/raw"
        try Measure.shell("cp -a '\(root)' '\(pristine)'")
        /// One timed nightly of `build` on a fresh copy of the raw day, left at `root`; its log at `log`.
        func timed(_ build: String, log: String) throws -> Double {
            try Measure.shell("rm -rf '\(root)' && cp -a '\(pristine)' '\(root)' && sync")
            let started = Measure.seconds()
            try Measure.shell("'\(build)' nightly --root '\(root)' --date \(Self.date) 2> '\(log)'")
            return Measure.seconds() - started
        }
        var baselineWalls: [Double] = []
        var walls: [Double] = []
        for _ in 0..<runs {
            if let baseline { baselineWalls.append(try timed(baseline, log: "/dev/null")) }
            let wall = try timed(binary, log: "\(scratch)/run.log")
            if wall < walls.min() ?? .infinity { try Measure.shell("cp '\(scratch)/run.log' '\(scratch)/nightly.log'") }
            walls.append(wall)
        }
        let wall = walls.min()!
        let sealed = try bytes(of: "find '\(root)/events' -name 'sealed-*.jsonl.gz'")
        let list = "find '\(root)/events' -name 'sealed-*.jsonl.gz' | sort"
        let plain = Int64(try Measure.output("\(list) | xargs zcat | wc -c").trimmingCharacters(in: .whitespacesAndNewlines))!
        let gzipStart = Measure.seconds()
        let gzip9 = Int64(try Measure.output("\(list) | xargs zcat | gzip -9 | wc -c").trimmingCharacters(in: .whitespacesAndNewlines))!
        let gzipSeconds = Measure.seconds() - gzipStart

        print("input: \(events) events archived raw by ingest: \(mb(raw)) of gzip level 6 members, retried copies included\n")
        print("| measure | value |")
        print("| --- | --- |")
        print("| `nightly` wall time (seal, report and timelines of two dates, verify), fastest of \(runs) | \(seconds(wall)) |")
        print("| the same, median of \(runs) | \(seconds(median(walls))) |")
        if let baselineWall = baselineWalls.min() {
            print("| baseline `nightly` on a copy of the same raw day, taking turns with this build: fastest of \(runs) | \(seconds(baselineWall)) |")
            print("| the same, median of \(runs) | \(seconds(median(baselineWalls))) |")
            print("| this build / baseline, fastest runs | **\(String(format: "%.2f", wall / baselineWall))** |")
            print("| this build / baseline, medians | **\(String(format: "%.2f", median(walls) / median(baselineWalls)))** |")
        }
        print("| sealed files (libdeflate members of about 4 MiB, duplicates dropped) | \(mb(sealed)) |")
        print("| sealed / raw | **\(String(format: "%.3f", Double(sealed) / Double(raw)))** |")
        print("| `gzip -9` of the same lines as one stream (\(mb(plain)) of JSON; took \(String(format: "%.1f", gzipSeconds)) s on one core) | \(mb(gzip9)) |")
        print("| sealed / `gzip -9` | **\(String(format: "%.3f", Double(sealed) / Double(gzip9)))** |")
        print("\nsteps, from the log of this build's fastest run:\n")
        for line in try String(contentsOfFile: scratch + "/nightly.log", encoding: .utf8).split(separator: "\n") { print("    \(line)") }
    }

    private func bytes(of find: String) throws -> Int64 {
        Int64(try Measure.output("\(find) -printf '%s\\n' | awk '{ s += $1 } END { print s + 0 }'").trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    private func seconds(_ value: Double) -> String { String(format: "%.1f s", value) }

    private func mb(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}
