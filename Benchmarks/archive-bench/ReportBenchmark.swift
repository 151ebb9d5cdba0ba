import ArgumentParser
import Foundation
import Reports
import StreamsArchive

/// `streams-archive report` on a generated day, beside DuckDB computing the same campaign_events.csv from the
/// same files and `zcat` of those files (the decompression floor), all in one run; plus 1 worker against 2,
/// the same day again once sealed (as nightly reads it), and the JSON decoders that decided the design.
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

    func run() throws {
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let binary = Measure.streamsArchive
        let root = scratch + "/archive"
        try Measure.archivedDay(events: events, date: Self.date, root: root, scratch: scratch)

        let files = try Measure.output("find '\(root)/events/date=\(Self.date)' -name '*.jsonl.gz' | sort").split(separator: "\n").map(String.init)
        let list = scratch + "/files.txt"
        try files.joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        let compressed = try files.map(Measure.size).reduce(0, +)
        let plain = Int(try Measure.output("xargs zcat < '\(list)' | wc -c").trimmingCharacters(in: .whitespacesAndNewlines))!
        print("input: \(events) events, \(files.count) files, \(mb(compressed)) gzip (level 6), \(mb(plain)) JSONL")

        let report = { (workers: Int) in "'\(binary)' report --root '\(root)' --date \(Self.date) --workers \(workers) 2>/dev/null" }
        let duckdbScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("duckdb/campaign_events.py").path
        let duckdb = "python3 '\(duckdbScript)' '\(root)' \(Self.date) '\(scratch)/duckdb.csv'"

        let two = try Measure.best(runs) { try Measure.shell(report(2)) }
        let one = try Measure.best(runs) { try Measure.shell(report(1)) }
        let duck = try Measure.best(runs) { try Measure.shell(duckdb) }
        let zcat = try Measure.best(runs) { try Measure.shell("xargs zcat < '\(list)' > /dev/null") }
        let zcatTwo = try Measure.best(runs) { try Measure.shell("xargs -P 2 -n \(max(1, files.count / 8)) zcat < '\(list)' > /dev/null") }
        let rss = try Measure.output(
            "python3 -c 'import resource, subprocess, sys; subprocess.run(sys.argv[1:], stderr=subprocess.DEVNULL, check=True); "
                + "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' '\(binary)' report --root '\(root)' --date \(Self.date)"
        )
        let same = try Measure.output("cmp -s '\(scratch)/duckdb.csv' '\(root)/reports/date=\(Self.date)/campaign_events.csv' && echo identical || echo DIFFERENT")

        print("\n| command | wall s (best of \(runs)) | events/s | ratio |")
        print("| --- | --- | --- | --- |")
        print("| `report` (2 workers) | \(format(two)) | \(Int(Double(events) / two)) | — |")
        print("| `report --workers 1` | \(format(one)) | \(Int(Double(events) / one)) | 2 workers are **\(format(one / two))x** faster |")
        print("| DuckDB \(try Measure.output("python3 -c 'import duckdb; print(duckdb.__version__)'").trimmingCharacters(in: .whitespacesAndNewlines)), same CSV (2 threads) | \(format(duck)) | \(Int(Double(events) / duck)) | report takes **\(format(two / duck))x** DuckDB's time (goal <= 0.5) |")
        print("| `zcat` of the files, one process | \(format(zcat)) | — | report takes **\(format(two / zcat))x** the floor (goal <= 2) |")
        print("| `zcat` of the files, 2 processes | \(format(zcatTwo)) | — | report takes \(format(two / zcatTwo))x |")
        print("\nreport peak RSS: \(Int(rss.trimmingCharacters(in: .whitespacesAndNewlines))! / 1024) MB; DuckDB's campaign_events.csv and report's are \(same)")

        // Above, the files are the receiver's, not yet sealed: report checks every line against StoredLine.
        // Nightly seals first; seal checked every line, so report reads sealed files with the structural scan.
        try Measure.shell("'\(binary)' seal --root '\(root)' --grace 0 2>/dev/null")
        let sealedTwo = try Measure.best(runs) { try Measure.shell(report(2)) }
        let sealedDuck = try Measure.best(runs) { try Measure.shell(duckdb) }
        print("\n| after `seal` (as nightly runs it) | wall s (best of \(runs)) | events/s | ratio |")
        print("| --- | --- | --- | --- |")
        print("| `report` (2 workers), sealed files | \(format(sealedTwo)) | \(Int(Double(events) / sealedTwo)) | report takes **\(format(sealedTwo / sealedDuck))x** DuckDB's time |")
        print("| DuckDB, same CSV from the sealed files | \(format(sealedDuck)) | \(Int(Double(events) / sealedDuck)) | — |")
        try compareDecoders(files: files)
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
        let fields = FieldScanner(
            plan: FieldPlan(
                topLevel: ["event_type", "event_code", "event_name", "event_time", "uid"], nested: "event_attributes",
                nestedFields: ["campaign_id", "campaign_name", "campaign_type", "campaign_channel", "variation_id", "locale_id", "locale_name"]
            )
        )
        let structural = Measure.best(runs) {
            for line in lines { _ = line.withUnsafeBytes { fields.scan($0) { $0.fingerprint(0) } } }
        }
        let scanner = JSONScanner()
        var document = JSONDocument()
        let validating = try Measure.best(runs) {
            for line in lines { try line.withUnsafeBytes { try document.scan($0, with: scanner) } }
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
            ("FieldScanner: the report's 13 fields, structure checked (what report uses)", structural),
            ("JSONScanner: full validation and tape (what the receiver uses)", validating),
            ("JSONSerialization", serialization), ("JSONDecoder into a slim struct", slim),
        ]
        for (name, seconds) in decoders {
            print("| \(name) | \(Int(bytes / 1e6 / seconds)) | \(Int(Double(lines.count) / seconds)) |")
        }
    }

    private func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
    private func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
