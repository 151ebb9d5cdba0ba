import ArgumentParser
import Reports
import StreamsArchive

struct Timeline: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, table
    }

    static let configuration = CommandConfiguration(
        abstract: "Print one user's events in time order.",
        discussion: """
            Prints the stored events of --uid as JSON lines (or a table), oldest first, across the dates asked for \
            (default: every date in the archive). A date with built timelines costs one small read; a date without \
            them is scanned in full, which stderr notes. An unknown uid prints nothing and exits 0.
            """
    )

    @OptionGroup var rootOptions: RootOptions

    @Option(help: "The user's uid (MoEngage customer_id), exactly as sent.")
    var uid: String

    @Option(help: "First UTC date (YYYY-MM-DD).")
    var from: UTCDate?

    @Option(help: "Last UTC date (YYYY-MM-DD).")
    var to: UTCDate?

    @Option(help: "json: the stored lines; table: time (UTC), channel, event, campaign.")
    var format: Format = .json

    func validate() throws {
        guard !uid.isEmpty else { throw ValidationError("--uid must not be empty") }
        if let from, let to, from > to { throw ValidationError("--from \(from) is after --to \(to)") }
    }

    func run() throws {
        let layout = rootOptions.layout
        let uid = ByteString(uid)
        var damaged = false
        try CommandFailure.reporting("timeline") {
            guard Directory.exists(layout.root) else { throw CommandFailure("no archive at \(layout.root): pass --root") }
            let dates = try ArchiveDates.all(layout: layout).filter { date in
                (from.map { date >= $0 } ?? true) && (to.map { date <= $0 } ?? true)
            }
            var lines: [[UInt8]] = []
            for date in dates {
                // JSON lines are printed as the member inflates (a user with millions of events needs no more
                // memory); the table needs every row for its column widths.
                let (source, damage) = try TimelineLookup.forEachEvent(of: uid, on: date, layout: layout) { line in
                    if format == .json { Terminal.output(String(decoding: line, as: UTF8.self)) } else { lines.append(Array(line)) }
                }
                if source == .rawPartitions {
                    Terminal.summary(
                        "timeline: \(date) has no built timelines; scanned its raw partitions "
                            + "(`streams-archive timelines --date \(date)` makes this day's lookups fast)"
                    )
                }
                for damage in damage { Terminal.error("damaged input: \(damage)") }
                damaged = damaged || !damage.isEmpty
            }
            if format == .table && !lines.isEmpty { TimelineTable.render(lines).forEach(Terminal.output) }
        }
        if damaged { throw ExitCode(CommandFailure.damagedData) }
    }
}
