import ArgumentParser
import Foundation
import Logging
import StreamsArchive
import StreamsReceiver

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Receive Streams POSTs; answer 2xx only once events are fsynced.",
        discussion: """
            Endpoints: POST /streams (MoEngage Streams batches), POST /oauth/token (OAuth2 client credentials), \
            GET /healthz, GET /metrics (Prometheus). \
            Credentials come from the environment, never the command line: STREAMS_BASIC_AUTH=user:password, \
            STREAMS_AUTH_HEADER='Header-Name: value', and OAuth2 with STREAMS_OAUTH_CLIENTS=id:secret[,id:secret] \
            and STREAMS_OAUTH_KEY (32+ characters, shared by every receiver that accepts the tokens; \
            STREAMS_OAUTH_TOKEN_SECONDS, default 3600); a request passes if it matches any of them. \
            SIGTERM or SIGINT stops it cleanly: in-flight requests finish, files are finished, exit 0.
            """
    )

    @OptionGroup var rootOptions: RootOptions
    @Option(help: "Address to listen on. A non-loopback address needs credentials or --no-auth.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one; the bound port is printed).") var port = 8080
    @Option(help: "Largest request body in bytes, also after gzip decompression (413 above it).") var maxBodyBytes = 16 << 20
    @Option(help: "Seconds a client has to send a whole request (slow clients are cut off).") var readTimeout: Int64 = 30
    @Option(help: "gzip level of stored members (sealing recompresses at 9).") var level: Int32 = 6
    @Option(help: "Seconds an acknowledged event_uuid is remembered for dedup (MoEngage retries within ~3.5 min).") var dedupWindow: Int64 = 600
    @Option(
        help: """
            Most client connections held at once; more get 503 with Retry-After and are closed. Default: from the \
            open-file limit (ulimit -n), leaving a quarter to partition files and an eighth to the process: 640 of 1024.
            """
    ) var maxConnections: Int?
    @Flag(help: "Listen on a non-loopback address without credentials.") var noAuth = false
    @Option(help: "Once listening, write {\"host\",\"port\"} as JSON to this file (for a supervisor).") var readyFile: String?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        guard readTimeout > 0 else { throw ValidationError("--read-timeout must be positive") }
        guard (1...9).contains(level) else { throw ValidationError("--level must be 1…9") }
        if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
        guard dedupWindow >= 300 else { throw ValidationError("--dedup-window must be at least 300 seconds (MoEngage retries for ~3.5 minutes)") }
        let auth = try authFromEnvironment()
        if !auth.isEnabled && !noAuth && !ReceiverConfiguration.isLoopback(host) {
            throw ValidationError(
                "refusing to listen on \(host) without credentials: set \(ReceiverAuth.basicVariable), \(ReceiverAuth.headerVariable) or \(OAuthSettings.clientsVariable), or pass --no-auth"
            )
        }
    }

    func run() async throws {
        var configuration = ReceiverConfiguration(root: rootOptions.root)
        configuration.host = host
        configuration.port = port
        configuration.maxBodyBytes = maxBodyBytes
        configuration.readTimeout = .seconds(readTimeout)
        configuration.level = level
        configuration.dedupWindow = .seconds(dedupWindow)
        configuration.maxConnections = maxConnections
        configuration.auth = try authFromEnvironment()
        configuration.readyFile = readyFile
        let logger = Logger(label: "streams-archive.serve")
        try await CommandFailure.reportingAsync("serve") {
            try await Receiver.run(configuration, logger: logger) { host, port in
                Terminal.output("listening on http://\(host):\(port)")
            }
        }
        Terminal.summary("serve: stopped cleanly")
    }

    private func authFromEnvironment() throws -> ReceiverAuth {
        do {
            return try ReceiverAuth(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
