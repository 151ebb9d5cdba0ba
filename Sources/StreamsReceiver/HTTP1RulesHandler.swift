import Hummingbird
import NIOCore
import NIOHTTP1
import StreamsArchive

/// Sits between NIO's HTTP/1 parser and the HTTP-types codec Hummingbird reads, and applies the HTTP/1 rules that
/// neither applies, per connection:
/// - persistence: a request that does not keep the connection (HTTP/1.0 without `Connection: keep-alive`,
///   `Connection: close` in any case) gets `Connection: close` on its response and the connection ends after it
///   (`LingeringClose`); an HTTP/1.0 keep-alive response says `Connection: keep-alive`;
/// - `Expect: 100-continue`: `100 Continue` is written when the responder asks for the body (`ContinueRequest`); a
///   final answer written before that (401, 413, 415 …) ends the connection, since the client may never send the body;
/// - refusals at the head (`RequestTerms`: 501 for a transfer coding other than `chunked`, 417 for another
///   expectation) are answered here, in order after the responses already owed, and end the connection;
/// - NIO's parser refusals, answered 400 by Hummingbird without our responder, are logged and counted
///   (`RefusalLog`) and end the connection.
///
/// Invariants: responses leave in request order; after a response that ends the connection, nothing more is read
/// from it (input is dropped, not passed to Hummingbird); every response that did not come from `StreamsResponder`
/// is logged and counted once. Lives on the connection's event loop; holds no resource of its own.
final class HTTP1RulesHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// A request passed on to Hummingbird whose response has not ended.
    private struct Exchange {
        let number: Int
        let terms: RequestTerms
        var bodyComplete = false
        var continueSent = false
        /// Answered before its body was asked for and arrived: the client may or may not send the body now.
        var answeredEarly = false

        var awaitsContinue: Bool { terms.expectsContinue && !continueSent && !bodyComplete }
        var endsConnection: Bool { !terms.keepAlive || answeredEarly }
    }

    private let log: RefusalLog
    /// Oldest first; the first is the one being answered.
    private var exchanges: [Exchange] = []
    /// Request heads passed on so far; the last one is the request being read.
    private var headsPassed = 0
    private var readingKeepAlive = true
    /// Input is ignored: the connection ends once the responses owed are written.
    private var dropping = false
    /// A refusal to write once the responses owed before it are written.
    private var heldRefusal: ReceiverError?
    private var lastParserError: HTTPParserError?
    private var closing = false

    init(log: RefusalLog) {
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !dropping else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            do {
                let terms = try RequestTerms(head)
                headsPassed += 1
                exchanges.append(Exchange(number: headsPassed, terms: terms))
                readingKeepAlive = terms.keepAlive
                context.fireChannelRead(data)
            } catch {
                log.refused(error, method: head.method.rawValue, path: head.uri)
                dropping = true
                if exchanges.isEmpty { refuse(context, error) } else { heldRefusal = error }
            }
        case .body:
            context.fireChannelRead(data)
        case .end:
            if let index = exchanges.firstIndex(where: { $0.number == headsPassed }) { exchanges[index].bodyComplete = true }
            context.fireChannelRead(data)
            if !readingKeepAlive { dropping = true }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError {
            // After the connection's last request, more bytes are noise: it is closing anyway.
            guard !dropping else { return }
            lastParserError = parserError
            dropping = true
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            if exchanges.isEmpty {
                // Not an answer of our responder: Hummingbird's own, after NIO's parser refused the input.
                let reason = lastParserError.map { "malformed HTTP/1.1 request (\($0)); fix how the client frames its request" }
                    ?? "refused by the HTTP server before the request was read"
                log.refused(ReceiverError(HTTPResponse.Status(code: Int(head.status.code)), reason))
                dropping = true
                head.headers.replaceOrAdd(name: "connection", value: "close")
            } else {
                if exchanges[0].awaitsContinue {
                    exchanges[0].answeredEarly = true
                    dropping = true
                }
                if exchanges[0].endsConnection {
                    head.headers.replaceOrAdd(name: "connection", value: "close")
                } else if exchanges[0].terms.announcesKeepAlive {
                    head.headers.replaceOrAdd(name: "connection", value: "keep-alive")
                }
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            let finished = exchanges.isEmpty ? nil : exchanges.removeFirst()
            if exchanges.isEmpty, let refusal = heldRefusal {
                heldRefusal = nil
                context.write(data, promise: promise)
                refuse(context, refusal)
                return
            }
            let endsConnection = (finished?.endsConnection ?? true) || (dropping && exchanges.isEmpty)
            guard endsConnection, !closing else {
                context.write(data, promise: promise)
                return
            }
            let written = context.eventLoop.makePromise(of: Void.self)
            if let promise { written.futureResult.cascade(to: promise) }
            context.write(data, promise: written)
            closeAfter(context, written.futureResult)
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is ContinueRequest else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        if !closing, let first = exchanges.first, first.awaitsContinue {
            exchanges[0].continueSent = true
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
        }
        promise?.succeed(())
    }

    /// Writes a refusal of our own and ends the connection after it.
    private func refuse(_ context: ChannelHandlerContext, _ refusal: ReceiverError) {
        let body = refusal.jsonBody
        context.write(wrapOutboundOut(.head(refusal.closingHead(bodyLength: body.count))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        closeAfter(context, context.writeAndFlush(wrapOutboundOut(.end(nil))))
    }

    private func closeAfter(_ context: ChannelHandlerContext, _ written: EventLoopFuture<Void>) {
        dropping = true
        guard !closing else { return }
        closing = true
        LingeringClose.install(context, after: written)
    }
}
