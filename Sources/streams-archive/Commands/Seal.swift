import ArgumentParser
import Logging
import StreamsArchive

struct Seal: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compact closed hours: dedup by event_uuid, sort, write manifests.",
        discussion: """
            Takes every hour partition whose hour ended more than --grace seconds ago and that no receiver is \
            writing into, merges its files, keeps each event_uuid once, sorts by event_time and writes one file of \
            gzip members (about 4 MiB of lines each, libdeflate level 6, compressed on all cores) with _MANIFEST.json (bytes, sha256, events, min/max event_time, duplicates dropped, \
            sources) and _SUCCESS. Safe to kill at any point and to run beside receivers; one seal runs per root \
            at a time. An hour that got a late event after sealing is sealed again.
            """
    )

    @OptionGroup var rootOptions: RootOptions

    @Option(help: "Seconds after an hour ends before it is sealed.")
    var grace: Int64 = 3600

    @OptionGroup var workerOptions: WorkerOptions
    @OptionGroup var memoryOptions: MemoryOptions

    func validate() throws {
        guard grace >= 0 else { throw ValidationError("--grace must not be negative") }
    }

    func run() throws {
        let layout = rootOptions.layout
        let started = System.monotonicSeconds()
        let summary = try CommandFailure.reporting("seal") {
            try rootOptions.requireArchive()
            return try Sealer.run(
                layout: layout, grace: .seconds(grace), now: SystemClock().now(), workers: workerOptions.workers, memoryBudget: try memoryOptions.budget,
                logger: Logger(label: "streams-archive.seal")
            )
        }
        for failure in summary.failures { Terminal.error("\(failure.partition): \(failure.message)") }
        Terminal.summary(
            "seal: \(summary.sealed) hours sealed (\(summary.eventsIn) events in, \(summary.eventsOut) kept, \(summary.duplicates) duplicates dropped, "
                + "\(Terminal.megabytes(Int(summary.bytesIn))) → \(Terminal.megabytes(Int(summary.bytesOut)))), \(summary.alreadySealed) already sealed, "
                + "\(summary.beingWritten) still being written, \(summary.spilled) spilled to disk (over the memory budget), \(summary.failures.count) failed, in \(String(format: "%.2f", System.monotonicSeconds() - started)) s"
        )
        if !summary.failures.isEmpty { throw ExitCode(CommandFailure.failure) }
    }
}
