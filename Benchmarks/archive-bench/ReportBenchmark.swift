import ArgumentParser
import Foundation
import Reports
import StreamsArchive

/// `streams-archive report` on a generated day, beside DuckDB computing the same campaign_events.csv from the
/// same files and `zcat` of those files (the decompression floor), all in one run: the day as received (each
/// line checked against `StoredLine`) and sealed (as nightly reads it); 1 worker against 2; optionally an
/// older build on the same files; and the JSON decoders that decided the design.
struct ReportBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "report wall time against DuckDB and zcat on the same partitions; 1 vs 2 workers; JSON decoders."
    )

    @Option(help: "Distinct generated events.") var events = 1_000_000
    @Option(help: "Timed runs of each command; the best is kept.") var runs = 3
    @Option(help: "Lines used to compare JSON decoders.") var decoderLines = 100_000
    @Option(help: "Scratch directory (removed afterwards).") var scratch = NSTemporaryDirectory() + "archive-bench-report"

    static let date = "2026-03-14"

    @Option(help: "Another streams-archive binary (an older build) to time on the same files in the same run.") var baseline: String?

    func run() throws {
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let root = scratch + "/archive"
        try Measure.archivedDay(events: events, date: Self.date, root: root, scratch: scratch)
        let duckdbScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("duckdb/campaign_events.py").path
        let duckdb = "python3 '\(duckdbScript)' '\(root)' \(Self.date) '\(scratch)/duckdb.csv' 2"  // DuckDB's threads, as report's workers
        let duckdbVersion = try Measure.output("python3 -c 'import duckdb; print(duckdb.__version__)'").trimmingCharacters(in: .whitespacesAndNewlines)
        func report(_ binary: String = Measure.streamsArchive, workers: Int = 2) -> String {
            "'\(binary)' report --root '\(root)' --date \(Self.date) --workers \(workers) 2>/dev/null"
        }
        func requireSameCSV() throws {
            try Measure.shell("cmp -s '\(scratch)/duckdb.csv' '\(root)/reports/date=\(Self.date)/campaign_events.csv'")
        }

        // The day as the receiver wrote it, before any seal: report checks each line against StoredLine.
        let unsealed = try dayFiles(root: root)
        print("input: \(events) events; as received \(unsealed.files.count) files, \(mb(unsealed.compressed)) gzip (level 6), \(mb(unsealed.plain)) JSONL")
        let openTwo = try Measure.best(runs) { try Measure.shell(report()) }
        let openDuck = try Measure.best(runs) { try Measure.shell(duckdb) }
        try requireSameCSV()
        let openBaseline = try baseline.map { binary in try Measure.best(runs) { try Measure.shell(report(binary)) } }

        // Sealed, as the hourly job leaves every past hour and as nightly reads it: seal checked each line.
        try Measure.shell("'\(Measure.streamsArchive)' seal --root '\(root)' --grace 0 2>/dev/null")
        let sealed = try dayFiles(root: root)
        print("sealed: \(sealed.files.count) files, \(mb(sealed.compressed)) gzip (libdeflate members, level \(PartitionSealer.level))")
        let two = try Measure.best(runs) { try Measure.shell(report()) }
        let one = try Measure.best(runs) { try Measure.shell(report(workers: 1)) }
        let duck = try Measure.best(runs) { try Measure.shell(duckdb) }
        try requireSameCSV()
        let sealedBaseline = try baseline.map { binary in try Measure.best(runs) { try Measure.shell(report(binary)) } }
        let zcat = try Measure.best(runs) { try Measure.shell("xargs zcat < '\(sealed.list)' > /dev/null") }
        let zcatTwo = try Measure.best(runs) { try Measure.shell("xargs -P 2 -n \(max(1, sealed.files.count / 8)) zcat < '\(sealed.list)' > /dev/null") }
        let rss = try Measure.output(
            "python3 -c 'import resource, subprocess, sys; subprocess.run(sys.argv[1:], stderr=subprocess.DEVNULL, check=True); "
                + "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' '\(Measure.streamsArchive)' report --root '\(root)' --date \(Self.date)"
        )

        print("\n| sealed day (every past hour, as nightly reads it) | wall s (best of \(runs)) | events/s | ratio |")
        print("| --- | --- | --- | --- |")
        print("| `report` (2 workers) | \(format(two)) | \(Int(Double(events) / two)) | — |")
        print("| `report --workers 1` | \(format(one)) | \(Int(Double(events) / one)) | 2 workers are **\(format(one / two))x** faster |")
        print("| DuckDB \(duckdbVersion), same CSV (2 threads) | \(format(duck)) | \(Int(Double(events) / duck)) | report takes **\(format(two / duck))x** DuckDB's time (aim of issue 16: <= 0.35) |")
        print("| `zcat` of the files, one process | \(format(zcat)) | — | report takes **\(format(two / zcat))x** the floor (goal <= 2) |")
        print("| `zcat` of the files, 2 processes | \(format(zcatTwo)) | — | report takes \(format(two / zcatTwo))x |")
        if let sealedBaseline {
            print("| baseline `report` (2 workers) | \(format(sealedBaseline)) | \(Int(Double(events) / sealedBaseline)) | this build takes **\(format(two / sealedBaseline))x** the baseline's time |")
        }
        print("\n| day as received (hours not sealed yet) | wall s (best of \(runs)) | events/s | ratio |")
        print("| --- | --- | --- | --- |")
        print("| `report` (2 workers), every line checked against StoredLine | \(format(openTwo)) | \(Int(Double(events) / openTwo)) | report takes **\(format(openTwo / openDuck))x** DuckDB's time |")
        print("| DuckDB \(duckdbVersion), same CSV (2 threads) | \(format(openDuck)) | \(Int(Double(events) / openDuck)) | — |")
        if let openBaseline {
            print("| baseline `report` (2 workers) | \(format(openBaseline)) | \(Int(Double(events) / openBaseline)) | this build takes **\(format(openTwo / openBaseline))x** the baseline's time |")
        }
        print("\nreport peak RSS: \(Int(rss.trimmingCharacters(in: .whitespacesAndNewlines))! / 1024) MB; DuckDB's campaign_events.csv and report's are identical (checked after each)")
        try compareDecoders(files: sealed.files)
    }

    /// The day's data files, a list of them for xargs, and their compressed and decompressed sizes.
    private func dayFiles(root: String) throws -> (files: [String], list: String, compressed: Int, plain: Int) {
        let files = try Measure.output("find '\(root)/events/date=\(Self.date)' -name '*.jsonl.gz' | sort").split(separator: "\n").map(String.init)
        let list = scratch + "/files.txt"
        try files.joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        let plain = Int(try Measure.output("xargs zcat < '\(list)' | wc -c").trimmingCharacters(in: .whitespacesAndNewlines))!
        return (files, list, try files.map(Measure.size).reduce(0, +), plain)
    }

    /// Per-line cost of the JSON decoders the design chose between, on the day's own stored lines, one core.
    private func compareDecoders(files: [String]) throws {
        var lines: [[UInt8]] = []
        for file in files where lines.count < decoderLines {
            try GzipFileReader(path: file).forEachLine { if lines.count < decoderLines { lines.append(Array($0)) } }
        }
        let bytes = Double(lines.map(\.count).reduce(0, +))
        struct Slim: Decodable {
            let event_uuid: String
            let event_code: String
            let event_time: Int64
            let uid: String?
        }
        let plan = FieldPlan(
            topLevel: ["event_type", "event_code", "event_name", "event_time", "uid"], nested: "event_attributes",
            nestedFields: ["campaign_id", "campaign_name", "campaign_type", "campaign_channel", "variation_id", "locale_id", "locale_name"]
        )
        let (whole, stopping) = (FieldScanner(plan: plan), FieldScanner(plan: plan, stopsAtLastField: true))
        let structural = Measure.best(runs) {
            for line in lines { _ = line.withUnsafeBytes { whole.scan($0) { $0.fingerprint(0) } } }
        }
        let upToLastField = Measure.best(runs) {
            for line in lines { _ = line.withUnsafeBytes { stopping.scan($0) { $0.fingerprint(0) } } }
        }
        let scanner = JSONScanner()
        var document = JSONDocument()
        let validating = try Measure.best(runs) {
            for line in lines { try line.withUnsafeBytes { try document.scan($0, with: scanner) } }
        }
        var rule = StoredLine()
        let stored = Measure.best(runs) {
            for line in lines { _ = line.withUnsafeBytes { rule.check($0) } }
        }
        let serialization = try Measure.best(runs) {
            for line in lines { _ = try JSONSerialization.jsonObject(with: Data(line)) }
        }
        let decoder = JSONDecoder()
        let slim = try Measure.best(runs) {
            for line in lines { _ = try decoder.decode(Slim.self, from: Data(line)) }
        }
        print("\nJSON decoding of \(lines.count) stored lines (\(mb(Int(bytes)))), one core:\n")
        print("| decoder | MB/s | lines/s |")
        print("| --- | --- | --- |")
        let decoders = [
            ("FieldScanner: the report's 13 fields, up to the last of them (what report uses on stored lines)", upToLastField),
            ("FieldScanner: the same fields, the whole line's structure checked", structural),
            ("JSONScanner: full validation and tape (what the receiver uses)", validating),
            ("StoredLine: JSONScanner, repeated keys, event_uuid and event_time (report on unsealed files)", stored),
            ("JSONSerialization", serialization), ("JSONDecoder into a slim struct", slim),
        ]
        for (name, seconds) in decoders {
            print("| \(name) | \(Int(bytes / 1e6 / seconds)) | \(Int(Double(lines.count) / seconds)) |")
        }
    }

    private func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
    private func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
