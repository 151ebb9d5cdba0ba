import ArgumentParser
import Foundation
import Shipping
import StreamsArchive

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring a shipped date back from object storage, every sealed file checked against its manifest.",
        discussion: """
            Downloads each sealed hour of --date from --from (or STREAMS_SHIP_TO) under a hidden name, checks its \
            size, SHA-256 and event count against the hour's shipped manifest, and only then puts it in place with \
            its _MANIFEST.json, _SUCCESS and a _SHIPPED.json; the date's report and rejected input come back if \
            they are missing. Hours already here with the same sealed files are left alone; an hour holding other \
            data is refused. report, timelines and verify then run on the date as on any other. Credentials and \
            endpoint as for ship. Exit 0 restored; 1 failed; 2 an object did not match its manifest (named).
            """
    )

    @OptionGroup var rootOptions: RootOptions

    @Option(help: "s3://BUCKET/PREFIX the date was shipped to (default: $STREAMS_SHIP_TO).")
    var from: String?

    @Option(help: "The UTC date to restore.")
    var date: UTCDate

    func validate() throws {
        guard let destination = ShipOptions.destination(from) else { throw ValidationError("give --from s3://BUCKET/PREFIX, or set STREAMS_SHIP_TO") }
        try ShipOptions.validate(destination, option: "--from")
    }

    func run() throws {
        let started = System.monotonicSeconds()
        let summary = try CommandFailure.reporting("restore") {
            let destination: ShipDestination
            do { destination = try ShipDestination(ShipOptions.destination(from)!) } catch { throw CommandFailure("\(error)") }
            try Directory.create(rootOptions.layout.root)
            return try Restorer(layout: rootOptions.layout, destination: destination).run(date: date)
        }
        for refusal in summary.refused { Terminal.error("restore: REFUSED \(refusal.what): \(refusal.reason)") }
        if !summary.reportsOfSeveralRoots.isEmpty {
            Terminal.error(
                "restore: the bucket holds data of \(date) from \(summary.reportsOfSeveralRoots.count) roots (\(summary.reportsOfSeveralRoots.joined(separator: ", "))), "
                    + "and a root's report covers only what it received; none restored: run `streams-archive report --date \(date)` for one over every root's events"
            )
        }
        Terminal.summary(
            "restore \(date): \(summary.hoursRestored) hours restored (\(summary.files) files, \(summary.events) events, "
                + "\(Terminal.megabytes(Int(summary.bytes))) checked against their manifests), \(summary.hoursAlreadyHere) already here, "
                + "\(summary.reportFiles) report files, \(summary.rejectedFiles) rejected files"
                + (summary.retentionRecordRemoved ? ", retention record removed (the date is whole again)" : "")
                + "; \(summary.refused.count) refused in \(String(format: "%.1f", System.monotonicSeconds() - started)) s"
        )
        if !summary.refused.isEmpty { throw ExitCode(CommandFailure.damagedData) }
    }
}
