import ArgumentParser
import Logging
import Reports
import StreamsArchive

struct Nightly: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run seal → report → timelines → verify (→ ship → retain): what cron runs.",
        discussion: """
            Seals every closed hour, then builds the report and timelines of --date and of every earlier date \
            whose partitions changed since they were built, verifies those dates, ships every date to object \
            storage if --ship-to (or STREAMS_SHIP_TO) is given, and applies retention if --keep-days is given \
            (removing only what is shipped; without a destination, only with --delete-unshipped). Logs one line per step with its time. Idempotent; one run per root at a time \
            (a second exits 75). Exit 0 all steps fine, 2 damaged data found, 1 a step failed. Each run that \
            starts ends by writing ROOT/_metrics/streams_nightly.prom for node_exporter's textfile collector.
            """
    )

    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var shipOptions: ShipOptions
    @OptionGroup var memoryOptions: MemoryOptions

    @Option(help: "UTC date (default: yesterday).")
    var date: UTCDate?

    @Option(help: "Apply retention: keep this many days of raw partitions.")
    var keepDays: Int?

    @Option(help: "Seconds after an hour ends before it is sealed.")
    var grace: Int64 = 3600

    func validate() throws {
        if let keepDays, keepDays < 1 { throw ValidationError("--keep-days must be at least 1") }
        guard grace >= 0 else { throw ValidationError("--grace must not be negative") }
    }

    func run() throws {
        let layout = rootOptions.layout
        let date = date ?? SystemClock().now().date.adding(days: -1)
        var options = NightlyPipeline.Options(date: date, keepDays: keepDays)
        options.grace = .seconds(grace)
        options.memoryBudget = try memoryOptions.budget
        options.deleteUnshipped = shipOptions.deleteUnshipped
        if let destination = shipOptions.destination {
            options.ship = ShipStep(destination: destination) {
                var lines: [String] = []
                let summary = try ShipCommand.run(layout: layout, to: destination, dates: nil, tuning: .init()) { lines.append($0) }
                let outcome: NightlyPipeline.Outcome = !summary.mismatches.isEmpty ? .damagedData : summary.failures.isEmpty ? .ok : .failed
                return (outcome, lines.joined(separator: "\n    "), summary.events)
            }
        }
        let started = System.monotonicSeconds()
        let pipeline = NightlyPipeline(layout: layout, options: options, logger: Logger(label: "streams-archive.nightly")) { line in
            Terminal.summary("nightly \(date): \(line)")
        }
        try CommandFailure.reporting("nightly") {
            try rootOptions.requireArchive()
            do {
                try pipeline.run()
            } catch let error as NightlyError {
                throw CommandFailure("\(error)", code: CommandFailure.busy)
            }
        }
        let code = pipeline.outcome.exitStatus
        let word =
            switch pipeline.outcome {
            case .ok: "ok"
            case .failed: "FAILED"
            case .damagedData: "DAMAGED DATA FOUND"
            }
        Terminal.summary("nightly \(date): \(word) in \(String(format: "%.2f", System.monotonicSeconds() - started)) s")
        if code != 0 { throw ExitCode(code) }
    }
}
