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
        print("\nOne-uid lookup of a day, warm cache, uids spread evenly over the whole index (in-process: `TimelineLookup`; "
            + "Python: Benchmarks/timeline/lookup.py on the same files, timed in its process; command: `streams-archive timeline`; "
            + "DuckDB: the raw day, explicit schema, 2 threads, mean of 3 uids). Every peer's events equal ours:\n")
        print("| events | uids looked up | in-process p50 ms | p99 ms | mean ms | Python reader, mean ms | command, mean ms | DuckDB, ms | ratios |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        lookupRows.forEach { print($0) }
    }

    /// Lookups of uids spread evenly over the whole index (every bucket, every position), timed in-process
    /// and as commands, beside two peers: a Python reader of the same timeline files (index line, one seek,
    /// one member), timed in its process too, and DuckDB selecting the same uids' events from the raw day
    /// with an explicit schema and 2 threads. Each peer's answer must equal ours, or the benchmark fails.
    private func lookupLatency(root: String, binary: String, size: Int) throws -> String {
        let layout = ArchiveLayout(root: root)
        let directory = "\(root)/timelines/date=\(Self.date)"
        var everyUID: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).filter({ $0.hasSuffix(".index.jsonl") }).sorted() {
            for line in try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8).split(separator: "\n") {
                everyUID.append((try JSONSerialization.jsonObject(with: Data(line.utf8)) as! NSDictionary)["uid"] as! String)
            }
        }
        let count = min(lookups, everyUID.count)
        let uids = (0..<count).map { everyUID[$0 * everyUID.count / count] }
        let date = UTCDate(Self.date)!
        _ = try TimelineLookup.events(of: ByteString(uids[0]), on: date, layout: layout)
        var latencies: [Double] = []
        var ours: [String: [String]] = [:]
        for uid in uids {
            let started = Measure.seconds()
            let day = try TimelineLookup.events(of: ByteString(uid), on: date, layout: layout)
            latencies.append(Measure.seconds() - started)
            guard day.source == .timelines, !day.lines.isEmpty else { throw BenchFailure("lookup of \(uid) found nothing") }
            ours[uid] = try day.lines.map { try JSONSerialization.jsonObject(with: Data($0)) as! NSDictionary }.map { $0["event_uuid"] as! String }
        }
        let mean = latencies.reduce(0, +) / Double(latencies.count)
        latencies.sort()

        // Peer 1: Python reading the same files the documented way, all uids in one process.
        let uidsFile = "\(scratch)/\(size)/uids.jsonl", pythonOut = "\(scratch)/\(size)/python-lookups.tsv"
        try uids.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: .fragmentsAllowed), as: UTF8.self) }.joined(separator: "\n")
            .write(toFile: uidsFile, atomically: true, encoding: .utf8)
        let benchmarks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let pythonMean = try (0..<3).map { _ in
            Double(try Measure.output("python3 '\(benchmarks.path)/timeline/lookup.py' '\(directory)' '\(uidsFile)' '\(pythonOut)'").trimmingCharacters(in: .whitespacesAndNewlines))!
        }.min()!
        for line in try String(contentsOfFile: pythonOut, encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            let uid = String(fields[0]), found = fields[2].split(separator: " ").map(String.init)
            guard ours[uid] == found else { throw BenchFailure("the Python reader found other events for \(uid) than TimelineLookup") }
        }

        // Whole commands, started from one shell loop so the benchmark's own process start-up cost is not counted.
        let script = "\(NSTemporaryDirectory())/archive-bench-lookups.sh"
        try uids.prefix(20).map { uid in
            "'\(binary)' timeline --root '\(root)' --uid '\(uid.replacingOccurrences(of: "'", with: "'\\''"))' --from \(Self.date) --to \(Self.date) > /dev/null"
        }.joined(separator: "\n").write(toFile: script, atomically: true, encoding: .utf8)
        let command = try Measure.best(3) { try Measure.shell("sh '\(script)'") } / Double(min(20, uids.count)) * 1000

        // Peer 2: DuckDB on the raw day, explicit schema, the same projection (each event's uuid, in the same
        // order), 2 threads; three uids from the sample, each checked against ours.
        let plain = uids.filter { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") } }
        guard plain.count >= 3 else { throw BenchFailure("fewer than three plain uids to give DuckDB") }
        let picked = [plain[0], plain[plain.count / 2], plain[plain.count - 1]]
        var duckTimes: [Double] = []
        for uid in picked {
            let sql = "SELECT event_uuid FROM read_json('\(root)/events/date=\(Self.date)/*/*/*.jsonl.gz', format='newline_delimited', "
                + "columns={uid: 'VARCHAR', event_uuid: 'VARCHAR', event_time: 'BIGINT'}) WHERE uid = '\(uid)' "
                + "GROUP BY event_uuid, event_time ORDER BY event_time, event_uuid"
            let query = "import duckdb; c = duckdb.connect(); c.execute('SET threads = 2'); c.execute('SET enable_progress_bar = false'); print(' '.join(r[0] for r in c.sql(\\\"\(sql)\\\").fetchall()))"
            var found = ""
            duckTimes.append(try Measure.best(2) { found = try Measure.output("python3 -c \"\(query)\"").trimmingCharacters(in: .whitespacesAndNewlines) })
            guard found.split(separator: " ").map(String.init) == ours[uid] else { throw BenchFailure("DuckDB found other events for \(uid) than TimelineLookup") }
        }
        let duck = duckTimes.reduce(0, +) / Double(duckTimes.count)
        let p50 = latencies[latencies.count / 2] * 1000, p99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)] * 1000
        return "| \(size) | \(uids.count) of \(everyUID.count) | \(format(p50)) | \(format(p99)) | \(format(mean * 1000)) | \(format(pythonMean * 1000)) | "
            + "\(format(command)) | \(format(duck * 1000)) | in-process: **\(format(pythonMean / mean))x** faster than the Python reader; "
            + "command: \(String(format: "%.4f", command / 1000 / duck))x DuckDB's time |"
    }

    private func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
