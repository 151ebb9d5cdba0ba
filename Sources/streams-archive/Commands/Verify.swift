import ArgumentParser
import StreamsArchive

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every gzip member and manifest; non-zero exit on damage.",
        discussion: """
            Reads every finished file to the end, events/ and rejected/: each gzip member's CRC-32 and length, \
            and each line as a stored event (strict JSON object, no repeated key, string event_uuid, integer \
            event_time) or, under rejected/, a rejection record (rejected_at, reason). For each _MANIFEST.json, \
            checks that every file it lists exists with the recorded bytes, sha256 and event count. Prints each \
            damaged file with what is wrong; exit 2 if any.
            """
    )

    @OptionGroup var rootOptions: RootOptions

    @Option(help: "Only this UTC date (default: the whole archive).")
    var date: UTCDate?

    @OptionGroup var workerOptions: WorkerOptions


    func run() throws {
        let layout = rootOptions.layout
        let started = System.monotonicSeconds()
        let summary = try CommandFailure.reporting("verify") {
            try rootOptions.requireArchive()
            return try ArchiveVerifier.run(layout: layout, date: date, workers: workerOptions.workers)
        }
        for finding in summary.findings { Terminal.error("damaged: \(finding)") }
        Terminal.summary(
            "verify: \(summary.files) files, \(summary.manifests) manifests, \(summary.events) events, \(summary.rejectedRecords) rejection records, "
                + "\(Terminal.megabytes(Int(summary.bytes))) checked "
                + "in \(String(format: "%.2f", System.monotonicSeconds() - started)) s: "
                + (summary.findings.isEmpty ? "no problems" : "\(summary.findings.count) PROBLEMS")
        )
        if !summary.findings.isEmpty { throw ExitCode(CommandFailure.damagedData) }
    }
}
