import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import StreamsArchive

/// The pipeline of one client connection, in place of Hummingbird's `HTTP1Channel` (same parser limits, same
/// request loop) with the receiver's handlers where they must sit, from the socket inwards:
/// 1. `ConnectionLimitHandler`: counts the connection; over the cap, answers 503 before anything is parsed;
/// 2. NIO's HTTP/1 response encoder and request parser;
/// 3. `HTTP1RulesHandler`: persistence, `Expect`, transfer codings, parser refusals (needs the HTTP version,
///    which the HTTP-types codec drops);
/// 4. the HTTP-types codec, `ReadDeadlineHandler`, Hummingbird's connection state handler (quiescing on shutdown).
/// A value holding only Sendable configuration; a connection whose setup fails is closed by NIO.
struct ReceiverChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let budget: ConnectionBudget
    let log: RefusalLog
    let readTimeout: TimeAmount
    let retryAfterSeconds: Int

    func setup(channel: any NIOCore.Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = 80 * 1024
            limits.maxHeaderListSize = 80 * 1024
            limits.maxHeaderFieldCount = 1000
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(ConnectionLimitHandler(budget: budget, log: log, retryAfterSeconds: retryAfterSeconds))
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,
                withErrorHandling: false,
                withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: limits
            )
            try pipeline.addHandler(HTTP1RulesHandler(log: log))
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(ReadDeadlineHandler(timeout: readTimeout))
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}
