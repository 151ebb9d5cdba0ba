import ArgumentParser
import Foundation
import StreamsArchive
import StreamsTraffic

/// A long run of replayed load against a release `serve`: every interval a fresh generated batch of one day's traffic
/// is replayed (a new seed, so new event_uuids, into the same partitions), and the receiver's RSS and open file descriptors are sampled from /proc.
/// The receiver's dedup index fills up to its cap (4M uuids) in the first minute or two at this rate, so flat
/// means the last third of the run stays within 10% (RSS) and +4 (descriptors) of the middle third.
struct SoakBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Minutes of replayed load against serve; RSS, open files and p99 latency per interval, and whether they stay flat."
    )

    @Option(help: "Length of the run.") var minutes = 10.0
    @Option(help: "Events replayed per interval.") var eventsPerInterval = 60_000
    @Option(help: "Concurrent clients.") var clients = 8
    @Option(help: "Scratch directory (removed afterwards).") var scratch = NSTemporaryDirectory() + "archive-bench-soak"

    func run() throws {
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let server = try ReceiverProcess(executable: Measure.streamsArchive, root: scratch + "/archive")
        defer { server.stop() }
        let target = try ReplayTarget(url: server.url, environment: [:])
        let pid = server.process.processIdentifier
        let started = Measure.seconds()
        var samples: [(rss: Double, files: Int)] = []
        var interval = 0
        var latencies: [Double] = []
        var failed = 0
        var minutesSeen: [MinuteRow] = []
        while Measure.seconds() - started < minutes * 60 {
            interval += 1
            let day = UTCDate("2026-03-14")!
            var bodies: [[UInt8]] = []
            TrafficGenerator(options: .init(events: eventsPerInterval, date: day, seed: UInt64(interval))).forEachBody { bodies.append($0) }
            let report = ReplayRunner(target: target, options: .init(concurrency: clients)).run(bodies: bodies)
            latencies += report.latencies
            failed += report.failedBodies
            let sample = (try Self.rssMegabytes(pid), try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count)
            samples.append(sample)
            let minute = Int((Measure.seconds() - started) / 60)
            if minutesSeen.last?.minute != minute { minutesSeen.append(MinuteRow(minute: minute)) }
            minutesSeen[minutesSeen.count - 1].add(rate: Double(report.acknowledgedEvents) / report.seconds, p99: report.percentile(0.99), rss: sample.0, files: sample.1)
        }
        print("| minute | events/s (mean of intervals) | worst interval p99 ms | RSS MB | open files |")
        print("| --- | --- | --- | --- | --- |")
        for row in minutesSeen {
            print("| \(row.minute) | \(Int(row.rates.reduce(0, +) / Double(row.rates.count))) | \(String(format: "%.1f", row.worstP99 * 1000)) | \(String(format: "%.1f", row.rss)) | \(row.files) |")
        }
        latencies.sort()
        let third = max(1, samples.count / 3)
        let early = samples.dropFirst(third).prefix(third), late = samples.suffix(third)
        let earlyRSS = early.map(\.rss).reduce(0, +) / Double(early.count), lateRSS = late.map(\.rss).reduce(0, +) / Double(late.count)
        let earlyFiles = early.map(\.files).max() ?? 0, lateFiles = late.map(\.files).max() ?? 0
        let flat = lateRSS <= earlyRSS * 1.10 && lateFiles <= earlyFiles + 4
        print(
            "\n\(interval) intervals in \(String(format: "%.1f", (Measure.seconds() - started) / 60)) min, \(latencies.count) requests, \(failed) bodies failed; "
                + "p99 over the run \(String(format: "%.1f", latencies[min(latencies.count - 1, latencies.count * 99 / 100)] * 1000)) ms; "
                + "RSS middle third \(String(format: "%.1f", earlyRSS)) MB, last third \(String(format: "%.1f", lateRSS)) MB; "
                + "open files \(earlyFiles) → \(lateFiles): \(flat ? "FLAT" : "GROWING")"
        )
        if !flat || failed > 0 { throw ExitCode(1) }
    }

    /// One minute of the run: its intervals' rates, worst p99, and the last sample's RSS and descriptors.
    struct MinuteRow {
        let minute: Int
        var rates: [Double] = []
        var worstP99 = 0.0
        var rss = 0.0
        var files = 0

        mutating func add(rate: Double, p99: Double, rss: Double, files: Int) {
            rates.append(rate)
            worstP99 = max(worstP99, p99)
            self.rss = rss
            self.files = files
        }
    }

    static func rssMegabytes(_ pid: Int32) throws -> Double {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        else { throw BenchFailure("no VmRSS for \(pid)") }
        return kilobytes / 1024
    }
}
