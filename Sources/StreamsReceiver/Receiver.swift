import Glibc
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import StreamsArchive

/// `streams-archive serve`: recovers what a crash left, warms the dedup index, then serves until SIGTERM or
/// SIGINT, when it stops accepting, finishes the requests in flight, commits, finishes its files and returns.
/// It holds at most `maxConnections` client connections (default from the open-file limit) and answers the next
/// ones 503; running out of descriptors at accept pauses accepting instead of spinning (`AcceptPauseHandler`).
public enum Receiver {
    /// - Parameter onListening: called with the bound host and port once the server accepts connections.
    public static func run(_ configuration: ReceiverConfiguration, logger: Logger, onListening: @escaping @Sendable (String, Int) -> Void) async throws {
        let layout = ArchiveLayout(root: configuration.root)
        try Directory.create(layout.root)
        if let readyFile = configuration.readyFile { try ReceiverReadiness.clear(readyFile) }
        let recovered = try ArchiveRecovery.recover(layout: layout, logger: logger)
        if !recovered.isEmpty { logger.info("recovered files of stopped writers", metadata: ["files": "\(recovered.count)"]) }
        let now = configuration.clock.now()
        try WriterJournals.pruneRetired(layout, now: now)
        var dedup = DedupIndex(window: configuration.dedupWindow, capacity: configuration.dedupCapacity)
        try RecentEvents.load(into: &dedup, layout: layout, now: now, logger: logger)

        let identity = try WriterIdentity(layout: layout)
        let writer = try PartitionWriter(layout: layout, identity: identity, options: .init(level: configuration.level), logger: logger)
        let metrics = ReceiverMetrics()
        let queue = CommitQueue(writer: writer, dedup: dedup, metrics: metrics, logger: logger, clock: configuration.clock)
        let responder = StreamsResponder(
            configuration: configuration, queue: queue, metrics: metrics, logger: logger, tokenEndpoint: configuration.auth.oauth.map(TokenEndpoint.init)
        )
        let descriptors = ConnectionBudget.descriptorLimit()
        let budget = ConnectionBudget(cap: configuration.maxConnections ?? ConnectionBudget.defaultCap(descriptorLimit: descriptors))
        logger.info("connection limit", metadata: ["connections.max": "\(budget.cap)", "descriptors.limit": "\(descriptors)"])
        let log = RefusalLog(logger: logger, metrics: metrics)
        let timeout = TimeAmount(configuration.readTimeout)
        let server = HTTPServerBuilder { respond in
            ReceiverChannel(responder: respond, budget: budget, log: log, readTimeout: timeout, retryAfterSeconds: configuration.retryAfterSeconds)
        }
        let app = Application(
            responder: responder,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "streams-archive"),
            services: [queue],
            onServerRunning: { channel in
                await AcceptPauseHandler.install(on: channel, logger: logger)
                let port = channel.localAddress?.port ?? configuration.port
                if let readyFile = configuration.readyFile {
                    do { try ReceiverReadiness(host: configuration.host, port: port).write(to: readyFile) } catch {
                        logger.error("could not write the readiness file; a supervisor waiting for it will give up", metadata: ["error": "\(error)"])
                    }
                }
                onListening(configuration.host, port)
            },
            logger: logger
        )
        try await app.runService()
        if let readyFile = configuration.readyFile { try ReceiverReadiness.clear(readyFile) }
    }
}
