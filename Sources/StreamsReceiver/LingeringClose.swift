import NIOCore
import StreamsArchive

/// Ends a connection after a response that closes it, without letting a TCP reset destroy that response.
///
/// Closing a socket that still has unread bytes (a body we refused, a pipelined request) makes the kernel send a
/// reset, and a reset can discard the response before the client reads it. So, installed first in the pipeline, it
/// waits until the response is written, shuts down our sending side (the client reads the response, then end of
/// stream), drops whatever the client still sends, and closes for good when the client closes its side or after
/// `linger`, whichever comes first. Installed once per connection; the connection never outlives `linger`.
final class LingeringClose: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    /// How long a client may keep sending after the response before the connection is closed anyway.
    static let linger: TimeAmount = .seconds(2)

    private let written: EventLoopFuture<Void>
    private let linger: TimeAmount
    private var deadline: Scheduled<Void>?

    /// - Parameter written: completes when the last response is on the wire (or failed to get there).
    init(after written: EventLoopFuture<Void>, linger: TimeAmount = LingeringClose.linger) {
        self.written = written
        self.linger = linger
    }

    /// Installs the handler first in `context`'s pipeline.
    static func install(_ context: ChannelHandlerContext, after written: EventLoopFuture<Void>, linger: TimeAmount = LingeringClose.linger) {
        do {
            try context.pipeline.syncOperations.addHandler(LingeringClose(after: written, linger: linger), position: .first)
        } catch {
            context.close(promise: nil)
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: linger) {
            context.close(promise: nil)
        }
        written.assumeIsolated().whenComplete { result in
            switch result {
            case .success: context.close(mode: .output, promise: nil)
            case .failure: context.close(promise: nil)
            }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Dropped: the connection has answered its last request.
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.inputClosed) = event as? ChannelEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }
}
