import ArgumentParser
import Foundation
import StreamsArchive
import StreamsTraffic

/// Durable ingest through `streams-archive serve` driven by the project's own load generator, beside the
/// same machine's `gzip -6` throughput on the same JSONL bytes (the compression ceiling).
struct ReceiverBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receiver",
        abstract: "Events/s acknowledged with durable commits at 16 and 64 clients, against gzip -6 on the same bytes."
    )

    @Option(help: "Distinct generated events (batches of up to 100).") var events = 300_000
    @Option(help: "Client counts to measure.") var concurrency: [Int] = [16, 64]
    @Option(help: "gzip level the receiver writes.") var level = 6
    @Option(help: "Scratch directory (removed afterwards).") var scratch = NSTemporaryDirectory() + "archive-bench-receiver"

    func run() throws {
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let input = scratch + "/day.jsonl"
        try TrafficGenerator(options: .init(events: events, date: UTCDate("2026-03-14")!, seed: 1)).write(to: input)
        var bodies: [[UInt8]] = []
        try PlainLineReader(path: input).forEachLine { bodies.append(Array($0)) }

        // The ceiling: gzip -6 over exactly the JSONL the receiver stores for these bodies.
        let parser = EnvelopeParser()
        var stored: [UInt8] = []
        var storedEvents = 0
        for body in bodies {
            for event in try parser.parse(body, receivedAt: UTCInstant(millisecondsSinceEpoch: 1_773_532_800_000)).accepted {
                stored += event.line
                stored.append(0x0A)
                storedEvents += 1
            }
        }
        let jsonl = scratch + "/stored.jsonl"
        try Data(stored).write(to: URL(fileURLWithPath: jsonl))
        let gzipSeconds = try Measure.best(3) { try Measure.shell("gzip -6 -c '\(jsonl)' > /dev/null") }
        let ceiling = Double(storedEvents) / gzipSeconds
        print("input: \(bodies.count) bodies, \(storedEvents) events (with retries), \(String(format: "%.1f", Double(stored.count) / 1e6)) MB stored JSONL")
        print("ceiling: gzip -6 on the same JSONL: \(String(format: "%.2f", gzipSeconds)) s = \(Int(ceiling)) events/s, \(String(format: "%.0f", Double(stored.count) / 1e6 / gzipSeconds)) MB/s\n")
        print("| clients | events/s acknowledged | requests/s | p50 ms | p99 ms | max ms | errors | share of gzip -6 ceiling |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for clients in concurrency {
            let report = try measure(bodies: bodies, clients: clients)
            let rate = Double(report.acknowledgedEvents) / report.seconds
            print(
                "| \(clients) | \(Int(rate)) | \(Int(Double(report.requests) / report.seconds)) | \(String(format: "%.1f", report.percentile(0.5) * 1000)) | "
                    + "\(String(format: "%.1f", report.percentile(0.99) * 1000)) | \(String(format: "%.1f", (report.latencies.max() ?? 0) * 1000)) | "
                    + "\(report.errors.values.reduce(0, +)) | **\(String(format: "%.2f", rate / ceiling))** |"
            )
        }
    }

    /// One run against a fresh receiver and root, so no event is a duplicate of an earlier run's.
    private func measure(bodies: [[UInt8]], clients: Int) throws -> ReplayRunner.Report {
        let root = scratch + "/root-\(clients)"
        let server = try ReceiverProcess(executable: Measure.streamsArchive, root: root, arguments: ["--level", String(level)])
        defer { server.stop() }
        let target = try ReplayTarget(url: server.url, environment: [:])
        let report = ReplayRunner(target: target, options: .init(concurrency: clients)).run(bodies: bodies)
        guard report.failedBodies == 0 else { throw BenchFailure("\(report.failedBodies) bodies failed: \(report.errors)") }
        return report
    }
}
