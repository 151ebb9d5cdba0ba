import ArgumentParser
import Foundation
import StreamsArchive
import StreamsTraffic

extension TrafficGenerator.Shape: ExpressibleByArgument {}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a day of realistic Streams traffic: one request body per line, exactly as MoEngage POSTs it.",
        discussion: "The same --seed and --date always give the same bytes; days of one --seed share its campaigns and users. About 2% of bodies are retries of earlier ones."
    )

    @Option(help: "Distinct events to generate (retried bodies repeat some on top of this).")
    var events: Int

    @Option(help: "The UTC day the events happen on (a few late ones fall on the day before).")
    var date: UTCDate

    @Option(help: "Seed for the deterministic generator.")
    var seed: UInt64 = 1

    @Option(help: "File to write (replaced if it exists).")
    var out: String

    @Option(help: "typical, busy-hour (one push hour holds the day) or one-campaign (one email campaign, one event per user).")
    var shape: TrafficGenerator.Shape = .typical

    func validate() throws {
        guard events > 0 else { throw ValidationError("--events must be at least 1") }
        guard !out.isEmpty else { throw ValidationError("--out must name a file") }
    }

    func run() throws {
        let started = System.monotonicSeconds()
        let summary = try CommandFailure.reporting("generate") {
            try TrafficGenerator(options: .init(events: events, date: date, seed: seed, shape: shape)).write(to: out)
        }
        let seconds = System.monotonicSeconds() - started
        Terminal.summary(
            "generate: \(summary.distinctEvents) events (\(summary.lateEvents) late) in \(summary.bodies) bodies "
                + "(\(summary.retriedBodies) retried), \(Terminal.megabytes(summary.bytes)) → \(out) in \(String(format: "%.1f", seconds)) s"
        )
    }
}
