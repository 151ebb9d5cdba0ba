import ArgumentParser
import Foundation
import Reports
import StreamsArchive

/// `timelines` on generated days of growing size: wall time and peak RSS beside `zcat` of the same files, and
/// one-uid lookup latency beside DuckDB selecting that uid from the raw day, all measured in the same run.
struct TimelinesBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timelines",
        abstract: "timelines build time and peak RSS per day size; lookup latency against DuckDB on the raw day."
    )

    @Option(parsing: .upToNextOption, help: "Day sizes in distinct events.") var events: [Int] = [1_000_000, 5_000_000]
    @Option(help: "uids looked up per day.") var lookups = 200
    @Option(help: "Scratch directory (removed afterwards).") var scratch = NSTemporaryDirectory() + "archive-bench-timelines"

    static let date = "2026-03-14"

    func run() throws {
        try? FileManager.default.removeItem(atPath: scratch)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let binary = Measure.streamsArchive
        print("| events | raw files | `timelines` s | peak RSS MB | `zcat` of the files s | ratio | buckets | written MB |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        var lookupRows: [String] = []
        for size in events {
            let root = "\(scratch)/\(size)/archive"
            try FileManager.default.createDirectory(atPath: "\(scratch)/\(size)", withIntermediateDirectories: true)
            try Measure.archivedDay(events: size, date: Self.date, root: root, scratch: "\(scratch)/\(size)")
            let list = "\(scratch)/\(size)/files.txt"
            try Measure.shell("find '\(root)/events/date=\(Self.date)' -name '*.jsonl.gz' | sort > '\(list)'")
            let fileCount = try String(contentsOfFile: list, encoding: .utf8).split(separator: "\n").count
            let zcat = try Measure.best(2) { try Measure.shell("xargs zcat < '\(list)' > /dev/null") }

            let started = Measure.seconds()
            let rss = try Measure.output(
                "python3 -c 'import resource, subprocess, sys; subprocess.run(sys.argv[1:], stderr=subprocess.DEVNULL, check=True); "
                    + "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' '\(binary)' timelines --root '\(root)' --date \(Self.date)"
            )
            let build = Measure.seconds() - started
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(root)/timelines/date=\(Self.date)/_INDEX.json"))) as! NSDictionary
            let buckets = (manifest["buckets"] as! NSDictionary)["count"] as! Int
            let written = try Measure.output("du -sbL '\(root)/timelines/date=\(Self.date)' | cut -f1").trimmingCharacters(in: .whitespacesAndNewlines)
            print(
                "| \(size) | \(fileCount) | \(format(build)) | \(Int(rss.trimmingCharacters(in: .whitespacesAndNewlines))! / 1024) | \(format(zcat)) | "
                    + "timelines takes \(format(build / zcat))x zcat | \(buckets) | \(String(format: "%.1f", Double(written)! / 1e6)) |"
            )
            lookupRows.append(try lookupLatency(root: root, binary: binary, size: size))
        }
        print("\nOne-uid lookup of a day, warm cache (in-process: `TimelineLookup`; command: `streams-archive timeline` as a process):\n")
        print("| events | in-process p50 ms | p99 ms | max ms | command, mean ms | DuckDB on the raw day, same uid, ms | ratio |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        lookupRows.forEach { print($0) }
    }

    private func lookupLatency(root: String, binary: String, size: Int) throws -> String {
        let layout = ArchiveLayout(root: root)
        let directory = "\(root)/timelines/date=\(Self.date)"
        var uids: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).filter({ $0.hasSuffix(".index.jsonl") }).sorted() {
            for line in try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8).split(separator: "\n").prefix(max(1, lookups / 16)) {
                uids.append((try JSONSerialization.jsonObject(with: Data(line.utf8)) as! NSDictionary)["uid"] as! String)
            }
        }
        uids = Array(uids.prefix(lookups))
        let date = UTCDate(Self.date)!
        _ = try TimelineLookup.events(of: ByteString(uids[0]), on: date, layout: layout)
        var latencies: [Double] = []
        for uid in uids {
            let started = Measure.seconds()
            let day = try TimelineLookup.events(of: ByteString(uid), on: date, layout: layout)
            latencies.append(Measure.seconds() - started)
            guard day.source == .timelines, !day.lines.isEmpty else { throw BenchFailure("lookup of \(uid) found nothing") }
        }
        latencies.sort()
        // Whole commands, started from one shell loop so the benchmark's own process start-up cost is not counted.
        let script = "\(NSTemporaryDirectory())/archive-bench-lookups.sh"
        try uids.prefix(20).map { uid in
            "'\(binary)' timeline --root '\(root)' --uid '\(uid.replacingOccurrences(of: "'", with: "'\\''"))' --from \(Self.date) --to \(Self.date) > /dev/null"
        }.joined(separator: "\n").write(toFile: script, atomically: true, encoding: .utf8)
        let command = try Measure.best(3) { try Measure.shell("sh '\(script)'") } / Double(min(20, uids.count)) * 1000
        // A uid that needs no quoting in the shell or in SQL.
        guard let sample = uids.first(where: { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") } }) else {
            throw BenchFailure("no plain uid to give DuckDB")
        }
        let sql = "SELECT * FROM read_json('\(root)/events/date=\(Self.date)/*/*/*.jsonl.gz', format='newline_delimited', union_by_name=true) WHERE uid = '\(sample)' ORDER BY event_time"
        let duck = try Measure.best(2) { try Measure.shell("python3 -c \"import duckdb; duckdb.sql(\\\"\(sql)\\\").fetchall()\" > /dev/null") }
        let p50 = latencies[latencies.count / 2] * 1000, p99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)] * 1000
        return "| \(size) | \(format(p50)) | \(format(p99)) | \(format(latencies.last! * 1000)) | \(format(command)) | \(format(duck * 1000)) | "
            + "command takes \(String(format: "%.4f", command / 1000 / duck))x DuckDB's time |"
    }

    private func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
