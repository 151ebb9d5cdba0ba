import ArgumentParser
import Foundation
import Shipping
import StreamsArchive

struct Ship: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy sealed hours, reports and rejected input to S3-compatible object storage, each object confirmed.",
        discussion: """
            Every sealed hour not yet shipped (or re-sealed since) goes up as its sealed file, then its manifest \
            (as _MANIFEST-<sealed file>.json), then _SUCCESS, under keys that mirror the root \
            (PREFIX/events/date=D/channel=C/hour=H/…); each date's report and rejected input too. Every object is \
            created with If-None-Match: * and its SHA-256, then its size and SHA-256 are checked in the store (read \
            back when the store returns no checksum) before _SHIPPED.json records it. Credentials, region and \
            endpoint come from the environment and ~/.aws as the AWS CLI reads them (AWS_ACCESS_KEY_ID, \
            AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_S3, \
            AWS_ENDPOINT_URL). Safe to kill and re-run. Exit 0 done; 1 failed (nothing unconfirmed is recorded); \
            2 an object in the bucket differs from the local file; 75 another ship is running.
            """
    )

    @OptionGroup var rootOptions: RootOptions

    @Option(help: "s3://BUCKET/PREFIX (default: $STREAMS_SHIP_TO).")
    var to: String?

    @Option(help: "Ship only this UTC date (default: every date in the archive).")
    var date: UTCDate?

    @Flag(help: "Confirm every object by downloading and hashing it, even when the store returns its checksum.")
    var readBack = false

    @Option(help: "Directories shipped at once.")
    var workers = 4

    @Option(help: "Files larger than this go up as multipart uploads (bytes, or with K/M/G).")
    var multipartThreshold = ByteSize(bytes: 32 << 20)

    @Option(help: "Multipart part size (S3 requires at least 5M but for the last part).")
    var partSize = ByteSize(bytes: 8 << 20)

    func validate() throws {
        guard let destination = ShipOptions.destination(to) else { throw ValidationError("give --to s3://BUCKET/PREFIX, or set STREAMS_SHIP_TO") }
        try ShipOptions.validate(destination, option: "--to")
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard partSize.bytes <= 5 << 30 else { throw ValidationError("--part-size must be at most 5G (S3's limit)") }
    }

    func run() throws {
        let summary = try CommandFailure.reporting("ship") {
            try rootOptions.requireArchive()
            var tuning = ShipCommand.Tuning()
            tuning.readBack = readBack
            tuning.workers = workers
            tuning.multipartThreshold = multipartThreshold.bytes
            tuning.partSize = Int(partSize.bytes)
            return try ShipCommand.run(layout: rootOptions.layout, to: ShipOptions.destination(to)!, dates: date.map { [$0] }, tuning: tuning)
        }
        if !summary.mismatches.isEmpty { throw ExitCode(CommandFailure.damagedData) }
        if !summary.failures.isEmpty { throw ExitCode(CommandFailure.failure) }
    }
}

/// What `ship` and nightly's ship step share: progress on a terminal, a line per failure and per mismatch, and
/// one summary line always.
enum ShipCommand {
    /// How to ship: workers, multipart sizes, confirmation.
    struct Tuning {
        var readBack = false
        var workers = 4
        var multipartThreshold: Int64 = 32 << 20
        var partSize = 8 << 20
    }

    static func run(layout: ArchiveLayout, to url: String, dates: [UTCDate]?, tuning: Tuning, log: (String) -> Void = Terminal.summary) throws -> ShipSummary {
        let destination: ShipDestination
        do { destination = try ShipDestination(url) } catch { throw CommandFailure("\(error)") }
        var shipper = Shipper(layout: layout, destination: destination)
        shipper.workers = tuning.workers
        shipper.uploader.alwaysReadBack = tuning.readBack
        shipper.uploader.multipartThreshold = tuning.multipartThreshold
        shipper.uploader.partSize = tuning.partSize
        let progress = shipper.progress
        let started = System.monotonicSeconds()
        let ticker = ProgressTicker {
            let seconds = max(0.001, System.monotonicSeconds() - started)
            return "ship: \(progress.objectsDone)/\(progress.objectsPlanned) objects, \(Terminal.megabytes(Int(progress.bytesSent))) of "
                + "\(Terminal.megabytes(Int(progress.bytesPlanned))), \(String(format: "%.1f", Double(progress.bytesSent) / 1e6 / seconds)) MB/s"
        }
        let summary: ShipSummary
        do {
            summary = try shipper.run(dates: dates, now: { SystemClock().now() })
            ticker.stop()
        } catch let busy as ShipBusy {
            ticker.stop()
            throw CommandFailure("\(busy)", code: CommandFailure.busy)
        } catch {
            ticker.stop()
            throw error
        }
        for failure in summary.failures { log("ship: \(failure.unit): FAILED: \(failure.message)") }
        for mismatch in summary.mismatches { log("ship: MISMATCH \(mismatch.key): \(mismatch.detail)") }
        let seconds = System.monotonicSeconds() - started
        log(line(summary, destination: destination.description, seconds: seconds))
        return summary
    }

    static func line(_ summary: ShipSummary, destination: String, seconds: Double) -> String {
        "ship to \(destination): \(summary.shipped) directories shipped, \(summary.alreadyShipped) already shipped, "
            + "\(summary.notSealed) hours not sealed yet; \(summary.uploaded) objects uploaded (\(Terminal.megabytes(Int(summary.bytesUploaded))) in "
            + "\(String(format: "%.1f", seconds)) s, \(String(format: "%.1f", Double(summary.bytesUploaded) / 1e6 / max(seconds, 0.001))) MB/s), "
            + "\(summary.alreadyThere) already there, \(summary.superseded) superseded removed; checked by \(summary.checkedBy); "
            + "\(summary.failures.count) failed, \(summary.mismatches.count) mismatches"
    }
}
