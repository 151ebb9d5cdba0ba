import ArgumentParser
import Foundation
import StreamsArchive
import StreamsTraffic

/// Every nightly step at one memory budget on days of growing size and on two skewed days: each step's wall
/// time and peak RSS (GNU time's maximum resident set of the step's process), events per second, the report
/// checked byte for byte against DuckDB's, and the ratios the memory budget promises: peak RSS against the
/// budget, the largest typical day against the smallest (RSS and time per event), and nightly per event
/// against an older build on the smallest day in the same run.
struct ScaleBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "seal, report, timelines, verify and nightly at one memory budget on 1M and 10M-event days and two skewed days."
    )

    @Option(help: "Typical days to run, in distinct events, comma-separated (the first is the base of the ratios).")
    var sizes = "1000000,10000000"
    @Option(help: "Events of the day whose push hour 12:00–13:00 holds them all (0: skip).") var busyHour = 3_000_000
    @Option(help: "Distinct users of the day that is one email campaign, one event each over five codes (0: skip).")
    var campaignUsers = 5_000_000
    @Option(help: "The memory budget every step runs with.") var memoryBudget = "64M"
    @Option(help: "An older streams-archive binary whose nightly is timed on the first day, in the same run.") var baseline: String?
    @Option(help: "Scratch directory (removed afterwards).") var scratch = NSTemporaryDirectory() + "archive-bench-scale"

    static let date = "2026-03-14"
    static let steps = ["seal", "report", "timelines", "verify", "nightly"]

    /// One step's measurement.
    struct Step {
        var seconds: Double
        var peakRSS: Int64
    }

    func run() throws {
        let dayList = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !dayList.isEmpty else { throw ValidationError("--sizes must list at least one number of events") }
        guard let budget = Self.bytes(memoryBudget) else { throw ValidationError("--memory-budget must be bytes, or a number with K, M or G") }
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let duckdbVersion = try Measure.output("python3 -c 'import duckdb; print(duckdb.__version__)'").trimmingCharacters(in: .whitespacesAndNewlines)

        var days: [(label: String, events: Int, shape: TrafficGenerator.Shape)] = dayList.map { ("\(millions($0)) typical", $0, .typical) }
        if busyHour > 0 { days.append(("\(millions(busyHour)) in one push hour", busyHour, .busyHour)) }
        if campaignUsers > 0 { days.append(("one campaign, \(millions(campaignUsers)) users", campaignUsers, .oneCampaign)) }

        print("memory budget \(memoryBudget) (\(budget) bytes) for every step; \(System.coreCount) cores; DuckDB \(duckdbVersion) checks each report\n")
        print("| day | events kept | step | seconds | events/s | peak RSS | RSS − budget | spilled |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        var results: [[String: Step]] = []
        var baselineNightly: Double?
        for (index, day) in days.enumerated() {
            let root = "\(scratch)/archive"
            try Measure.archivedDay(events: day.events, date: Self.date, root: root, scratch: scratch, shape: day.shape)
            try Measure.shell("cp -a '\(root)' '\(root)-nightly'")
            if index == 0, baseline != nil { try Measure.shell("cp -a '\(root)' '\(root)-baseline'") }

            var measured: [String: Step] = [:]
            var logs: [String: String] = [:]
            for step in Self.steps {
                let target = step == "nightly" ? "\(root)-nightly" : root
                // Each step starts with nothing dirty in the page cache: none pays for the writeback of the
                // copies above (a gigabyte at 10M) or of the step before.
                try Measure.shell("sync")
                (measured[step], logs[step]) = try timed(command(step, root: target))
            }
            let kept = try keptEvents(logs["seal"]!)
            try Measure.shell(
                "python3 '\(Self.duckdbScript)' '\(root)' \(Self.date) '\(scratch)/duckdb.csv' 2 && "
                    + "cmp -s '\(scratch)/duckdb.csv' '\(root)/reports/date=\(Self.date)/campaign_events.csv'"
            )
            for step in Self.steps {
                let result = measured[step]!
                let rate = format(Double(kept) / result.seconds, 0)
                let overBudget = mib(result.peakRSS - budget)
                let spill = spilled(step, log: logs[step]!)
                print("| \(day.label) | \(kept) | `\(step)` | \(format(result.seconds, 2)) | \(rate) | \(mib(result.peakRSS)) | \(overBudget) | \(spill) |")
            }
            if index == 0, let baseline {
                try Measure.shell("sync")
                baselineNightly = try timed("'\(baseline)' nightly --root '\(root)-baseline' --date \(Self.date)").0.seconds
                try Measure.shell("rm -rf '\(root)-baseline'")
            }
            results.append(measured)
            try Measure.shell("rm -rf '\(root)' '\(root)-nightly'")
        }

        print("\nevery report above is byte-identical to DuckDB's campaign_events.csv over the same sealed files\n")
        if dayList.count > 1 {
            let (small, large) = (results[0], results[dayList.count - 1])
            let factor = Double(dayList[dayList.count - 1]) / Double(dayList[0])
            print("| step | peak RSS, \(millions(dayList.last!)) / \(millions(dayList[0])) | time per event, \(millions(dayList.last!)) / \(millions(dayList[0])) |")
            print("| --- | --- | --- |")
            for step in Self.steps {
                let rss = Double(large[step]!.peakRSS) / Double(small[step]!.peakRSS)
                let time = large[step]!.seconds / (factor * small[step]!.seconds)
                print("| `\(step)` | **\(format(rss, 2))** | **\(format(time, 2))** |")
            }
        }
        if let baselineNightly {
            let ours = results[0]["nightly"]!.seconds
            print(
                "\nnightly on the \(millions(dayList[0])) day: \(format(ours, 2)) s; the older build (\(baseline!)) \(format(baselineNightly, 2)) s: "
                    + "**\(format(ours / baselineNightly, 2))×** its time per event"
            )
        }
    }

    private func command(_ step: String, root: String) -> String {
        let binary = "'\(Measure.streamsArchive)'"
        switch step {
        case "seal": return "\(binary) seal --root '\(root)' --grace 0 --memory-budget \(memoryBudget)"
        default: return "\(binary) \(step) --root '\(root)' --date \(Self.date) --memory-budget \(memoryBudget)"
        }
    }

    /// Runs `command` under GNU time: its wall seconds and peak RSS, and what it wrote to stderr.
    private func timed(_ command: String) throws -> (Step, String) {
        let timing = scratch + "/time.txt"
        let log = scratch + "/step.log"
        try Measure.shell("/usr/bin/time -f '%e %M' -o '\(timing)' \(command) > /dev/null 2> '\(log)'")
        let fields = try String(contentsOfFile: timing, encoding: .utf8).split(whereSeparator: \.isWhitespace)
        guard fields.count >= 2, let seconds = Double(fields[fields.count - 2]), let kilobytes = Int64(fields[fields.count - 1]) else {
            throw BenchFailure("cannot read GNU time's output for: \(command)")
        }
        return (Step(seconds: seconds, peakRSS: kilobytes * 1024), try String(contentsOfFile: log, encoding: .utf8))
    }

    /// Events seal kept, from its summary line.
    private func keptEvents(_ log: String) throws -> Int {
        guard let range = log.range(of: #"in, ([0-9]+) kept"#, options: .regularExpression) else { throw BenchFailure("seal printed no summary: \(log)") }
        return Int(log[range].dropFirst(4).split(separator: " ")[0])!
    }

    /// What the step's summary says it spilled.
    private func spilled(_ step: String, log: String) -> String {
        let pattern =
            switch step {
            case "seal", "nightly": #"[0-9]+ spilled to disk"#
            case "report": #"users counted through the disk"#
            case "timelines": #"[0-9]+ sorted through the disk"#
            default: ""
            }
        guard !pattern.isEmpty, let range = log.range(of: pattern, options: .regularExpression) else { return "—" }
        return String(log[range])
    }

    /// Bytes, or a number with K, M or G, as `--memory-budget` takes them.
    static func bytes(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        guard let last = text.uppercased().last else { return nil }
        guard let unit = units[last] else { return Int64(text) }
        return Int64(text.dropLast()).map { $0 * unit }
    }

    static var duckdbScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("duckdb/campaign_events.py").path
    }

    private func millions(_ events: Int) -> String { events % 1_000_000 == 0 ? "\(events / 1_000_000)M" : "\(events)" }
    private func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
    private func mib(_ bytes: Int64) -> String { String(format: "%.0f MiB", Double(bytes) / 1_048_576) }
}
