import ArgumentParser
import Foundation
import StreamsArchive
import StreamsReceiver
import StreamsTraffic

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "POST generated traffic to a receiver and measure it.",
        discussion: """
            Each body of the input (one per line, as `generate` writes) is POSTed once; a non-2xx answer or a \
            connection error is retried 3 times, as MoEngage retries, waiting --retry-delay seconds and doubling. \
            Credentials come from STREAMS_BASIC_AUTH / STREAMS_AUTH_HEADER, and OAuth2 client credentials from \
            STREAMS_OAUTH_CLIENT=id:secret (a token from the target's POST /oauth/token, renewed before it expires \
            and after a 401, as MoEngage does). Exits 1 if any body was given up.
            """
    )

    @Option(help: "Receiver URL, e.g. http://127.0.0.1:8080/streams.") var url: String
    @Option(help: "File of request bodies from `generate`.") var input: String
    @Option(help: "Concurrent clients, each with its own keep-alive connection.") var concurrency = 16
    @Option(help: "Seconds before the first retry (doubled for each later one).") var retryDelay = 1.0

    func validate() throws {
        guard concurrency > 0 && concurrency <= 1024 else { throw ValidationError("--concurrency must be 1…1024") }
        guard retryDelay >= 0 else { throw ValidationError("--retry-delay must not be negative") }
    }

    func run() throws {
        let report = try CommandFailure.reporting("replay") {
            let target = try ReplayTarget(url: url, environment: ProcessInfo.processInfo.environment)
            var bodies: [[UInt8]] = []
            try PlainLineReader(path: input).forEachLine { if !$0.isEmpty { bodies.append(Array($0)) } }
            var options = ReplayRunner.Options(concurrency: concurrency)
            options.retryDelaySeconds = retryDelay
            return ReplayRunner(target: target, options: options).run(bodies: bodies) { progress in
                Terminal.progress(
                    "replay: \(progress.acknowledgedEvents) events, \(progress.requests) requests, "
                        + "\(Int(Double(progress.acknowledgedEvents) / max(progress.seconds, 0.001))) events/s"
                )
            }
        }
        Terminal.endProgress()
        Terminal.summary(report.summary)
        if report.failedBodies > 0 { throw ExitCode(CommandFailure.failure) }
    }
}
