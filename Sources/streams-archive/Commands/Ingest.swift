import Foundation
import ArgumentParser
import Logging
import StreamsArchive

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Archive a file of Streams request bodies (one per line, as `generate` writes) without HTTP.",
        discussion: """
            For backfills and tests. Bodies are validated exactly as the receiver validates them and committed \
            in groups; each commit is fsynced. With --checkpoints, a line `committed bodies=N events=M` is printed \
            to stdout after each commit: the first N lines of the input are then durable.
            """
    )

    @OptionGroup var rootOptions: RootOptions

    @Option(help: "File of request bodies, one JSON object per line.")
    var input: String

    @Option(help: "gzip level of the members written (1 fastest … 9 smallest).")
    var level: Int32 = 6

    @Option(help: "Bodies per durable commit.")
    var commitEvery: Int = 64

    @Flag(help: "Print a line to stdout after each durable commit.")
    var checkpoints = false

    func validate() throws {
        guard (1...9).contains(level) else { throw ValidationError("--level must be 1…9") }
        guard commitEvery > 0 else { throw ValidationError("--commit-every must be at least 1") }
    }

    func run() throws {
        let logger = Logger(label: "streams-archive.ingest")
        let started = System.monotonicSeconds()
        let progress = try CommandFailure.reporting("ingest") {
            let layout = rootOptions.layout
            try Directory.create(layout.root)
            _ = try ArchiveRecovery.recover(layout: layout, logger: logger)
            let identity = try WriterIdentity(layout: layout)
            let writer = try PartitionWriter(layout: layout, identity: identity, options: .init(level: level), logger: logger)
            let ingest = BodyFileIngest(writer: writer, commitEvery: commitEvery)
            let progress = try ingest.run(path: input) { progress in
                if checkpoints {
                    Terminal.output("committed bodies=\(progress.bodies) events=\(progress.acceptedEvents)")
                }
                let rate = Double(progress.acceptedEvents) / max(System.monotonicSeconds() - started, 0.001)
                Terminal.progress(
                    "ingest: \(progress.bodies) bodies, \(progress.acceptedEvents) events, "
                        + "\(Terminal.megabytes(progress.uncompressedBytes)), \(Int(rate)) events/s"
                )
            }
            try writer.finishAll()
            try identity.retire()
            return progress
        }
        Terminal.endProgress()
        let seconds = System.monotonicSeconds() - started
        Terminal.summary(
            "ingest: \(progress.acceptedEvents) events archived, \(progress.rejectedEvents) events and "
                + "\(progress.rejectedBodies) bodies rejected (kept under rejected/), \(progress.bodies) bodies, "
                + "\(Terminal.megabytes(progress.uncompressedBytes)) → \(Terminal.megabytes(progress.compressedBytes)) in "
                + "\(String(format: "%.1f", seconds)) s"
        )
    }
}
