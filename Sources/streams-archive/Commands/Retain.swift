import ArgumentParser
import Reports
import StreamsArchive

struct Retain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove raw partitions older than N days once sealed and reported.",
        discussion: """
            A date older than --keep-days (counted back from today, UTC) is removed only if every hour of it is \
            sealed and its campaign report accounts for every file it has now (events that arrived after the \
            report keep the date until nightly reports them); its timelines and rejected input go with it, its \
            report stays, and events/date=D/_RETAINED.json records the removal, so late events that land on the \
            date afterwards are recorded beside its report instead of replacing it. Never the only copy: with a \
            ship destination (--ship-to or STREAMS_SHIP_TO) a date goes only when every hour and its rejected \
            input are confirmed there (run ship first); without one, raw events stay unless --delete-unshipped. \
            Prints what it removed, and why a date past the cut-off was kept.
            """
    )

    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var shipOptions: ShipOptions

    @Option(help: "Days of raw partitions to keep.")
    var keepDays: Int

    @Flag(help: "Print what would be removed; remove nothing.")
    var dryRun = false

    func validate() throws {
        guard keepDays >= 1 else { throw ValidationError("--keep-days must be at least 1") }
    }

    func run() throws {
        let layout = rootOptions.layout
        let decisions = try CommandFailure.reporting("retain") {
            try rootOptions.requireArchive()
            return try Retention.run(
                layout: layout, keepDays: keepDays, now: SystemClock().now(), dryRun: dryRun, derived: DayAccounting(layout: layout),
                shipping: shipOptions.policy
            )
        }
        for decision in decisions {
            if let reason = decision.keptBecause {
                Terminal.output("kept \(decision.date): \(reason)")
            } else {
                for path in decision.paths { Terminal.output("\(dryRun ? "would remove" : "removed") \(path)") }
            }
        }
        let removed = decisions.filter { $0.keptBecause == nil }.count
        Terminal.summary("retain: \(removed) dates \(dryRun ? "would be " : "")removed, \(decisions.count - removed) kept past \(keepDays) days")
    }
}
