import Foundation
import ArgumentParser
import Shipping
import StreamsArchive

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every gzip member and manifest; non-zero exit on damage.",
        discussion: """
            Reads every finished file to the end, events/ and rejected/: each gzip member's CRC-32 and length, \
            and each line as a stored event (strict JSON object, no repeated key, string event_uuid, integer \
            event_time) or, under rejected/, a rejection record (rejected_at, reason). For each _MANIFEST.json, \
            checks that every file it lists exists with the recorded bytes, sha256 and event count. Prints each \
            damaged file with what is wrong; exit 2 if any. With --remote s3://BUCKET/PREFIX, checks the bucket \
            instead: every file each shipped manifest lists is there with its size and SHA-256 (downloaded and \
            hashed unless the store returns the checksum), no sealed object is listed by no manifest, every hour \
            has _SUCCESS, and every object this root's _SHIPPED.json records name is there with the recorded size \
            and SHA-256; exit 2 naming each key.
            """
    )

    @OptionGroup var rootOptions: RootOptions

    @Option(help: "Only this UTC date (default: the whole archive).")
    var date: UTCDate?

    @OptionGroup var workerOptions: WorkerOptions

    @OptionGroup var memoryOptions: MemoryOptions

    @Option(help: "Check object storage against its manifests instead: s3://BUCKET/PREFIX.")
    var remote: String?

    func run() throws {
        if let remote { return try verifyRemote(remote) }
        let layout = rootOptions.layout
        let started = System.monotonicSeconds()
        let summary = try CommandFailure.reporting("verify") {
            try rootOptions.requireArchive()
            return try ArchiveVerifier.run(layout: layout, date: date, workers: workerOptions.workers, memoryBudget: try memoryOptions.budget)
        }
        for finding in summary.findings { Terminal.error("damaged: \(finding)") }
        Terminal.summary(
            "verify: \(summary.files) files, \(summary.manifests) manifests, \(summary.events) events, \(summary.rejectedRecords) rejection records, "
                + "\(Terminal.megabytes(Int(summary.bytes))) checked "
                + (summary.uniquenessUnchecked > 0
                    ? "(\(summary.uniquenessUnchecked) sealed files too large for the memory budget's uuid set: checked for order and repeats at one event_time) " : "")
                + "in \(String(format: "%.2f", System.monotonicSeconds() - started)) s: "
                + (summary.findings.isEmpty ? "no problems" : "\(summary.findings.count) PROBLEMS")
        )
        if !summary.findings.isEmpty { throw ExitCode(CommandFailure.damagedData) }
    }

    private func verifyRemote(_ url: String) throws {
        let layout = rootOptions.layout
        let started = System.monotonicSeconds()
        let summary = try CommandFailure.reporting("verify") {
            let destination: ShipDestination
            do { destination = try ShipDestination(url) } catch { throw CommandFailure("\(error)") }
            let local = Directory.exists(layout.eventsDirectory) ? layout : nil
            let scratch = NSTemporaryDirectory() + "streams-archive-verify-\(getpid())"
            return try RemoteVerifier(layout: local, destination: destination, scratch: scratch).run(dates: date.map { [$0] })
        }
        for finding in summary.findings { Terminal.error("damaged: \(finding)") }
        Terminal.summary(
            "verify \(url): \(summary.hours) hours, \(summary.objects) sealed objects, \(Terminal.megabytes(Int(summary.bytesRead))) read back "
                + "in \(String(format: "%.2f", System.monotonicSeconds() - started)) s: "
                + (summary.findings.isEmpty ? "no problems" : "\(summary.findings.count) PROBLEMS")
        )
        if !summary.findings.isEmpty { throw ExitCode(CommandFailure.damagedData) }
    }
}
