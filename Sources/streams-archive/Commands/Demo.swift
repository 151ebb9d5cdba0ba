import ArgumentParser
import Foundation
import Logging
import Reports
import StreamsArchive
import StreamsTraffic

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The whole product on one machine in about a minute: receive a generated day over HTTP, run the nightly pipeline.",
        discussion: """
            Starts a receiver (`serve`) on a loopback port with a fresh archive under --out, replays a generated \
            day of Streams traffic to it over HTTP with MoEngage's batching and retries, stops it with SIGTERM, \
            runs `nightly` for that day, and prints where the archive, report.html and a sample timeline are.
            """
    )

    @Option(help: "Directory to create for the demo (must not exist yet, or be empty).")
    var out = "./streams-archive-demo"

    @Option(help: "Distinct events in the generated day.")
    var events = 50_000

    func validate() throws {
        guard events >= 100 else { throw ValidationError("--events must be at least 100") }
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: out), !existing.isEmpty {
            throw ValidationError("--out \(out) exists and is not empty; choose another directory or remove it")
        }
    }

    func run() throws {
        let started = System.monotonicSeconds()
        let out = URL(fileURLWithPath: out).standardizedFileURL.path
        let layout = ArchiveLayout(root: out + "/archive")
        let date = SystemClock().now().date.adding(days: -1)
        try CommandFailure.reporting("demo") {
            try Directory.create(layout.root)
            let bodiesPath = out + "/day.jsonl"
            let generated = try TrafficGenerator(options: .init(events: events, date: date, seed: 1)).write(to: bodiesPath)
            Terminal.summary("demo: generated \(generated.distinctEvents) events of \(date) in \(generated.bodies) request bodies → \(bodiesPath)")

            let server = try ReceiverProcess(
                executable: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), root: layout.root, log: out + "/serve.log"
            )
            var bodies: [[UInt8]] = []
            try PlainLineReader(path: bodiesPath).forEachLine { bodies.append(Array($0)) }
            let replay = ReplayRunner(target: try ReplayTarget(url: server.url, environment: [:]), options: .init(concurrency: 8)).run(bodies: bodies)
            let stopped = server.stop()
            Terminal.summary("demo: receiver on 127.0.0.1:\(server.port): \(replay.summary)")
            guard replay.failedBodies == 0, stopped == 0 else {
                throw CommandFailure("the receiver did not take every body (see \(out)/serve.log)")
            }

            let pipeline = NightlyPipeline(layout: layout, options: .init(date: date), logger: Logger(label: "streams-archive.demo")) {
                Terminal.summary("demo: nightly \(date): \($0)")
            }
            try pipeline.run()
            guard pipeline.outcome == .ok else { throw CommandFailure("the nightly pipeline did not finish cleanly (see above)") }

            let uid = try Self.sampleUID(layout: layout, date: date)
            let day = try TimelineLookup.events(of: ByteString(uid), on: date, layout: layout)
            Terminal.output("")
            Terminal.output("archive:      \(layout.root)/events/")
            Terminal.output("report:       \(layout.reportDirectory(date))/report.html")
            Terminal.output("timelines:    \(layout.timelineDirectory(date))/")
            Terminal.output("a timeline:   streams-archive timeline --root '\(layout.root)' --uid '\(uid)' --format table")
            for line in TimelineTable.render(Array(day.lines.prefix(8))) { Terminal.output("    " + line) }
            Terminal.output(String(format: "done in %.1f s", System.monotonicSeconds() - started))
        }
    }

    /// The uid with the most events in the first bucket index: a timeline worth looking at.
    static func sampleUID(layout: ArchiveLayout, date: UTCDate) throws -> String {
        let index = try String(contentsOfFile: "\(layout.timelineDirectory(date))/\(TimelineBuckets.indexName(0))", encoding: .utf8)
        let entries = try index.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        guard let best = entries.max(by: { ($0["events"] as? Int ?? 0) < ($1["events"] as? Int ?? 0) }), let uid = best["uid"] as? String else {
            throw CommandFailure("the timelines hold no user")
        }
        return uid
    }
}
