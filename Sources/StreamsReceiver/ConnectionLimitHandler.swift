import NIOCore
import StreamsArchive

/// The first handler of every client connection: counts the connection in the server's `ConnectionBudget` while it
/// is open and, when the budget is spent, answers `503` with `Retry-After` and a JSON reason at once, without
/// waiting for or parsing a request, then closes through `LingeringClose`.
///
/// Without it, idle or slow clients could hold every descriptor of the process; accepting would then fail, new
/// clients would wait in the kernel's backlog, and the partition writer could not open a file. Invariants: a
/// connection is counted once and released once (when it closes, or when this handler leaves the pipeline); bytes
/// from a refused connection never reach the HTTP parser.
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Shorter than after a protocol refusal: a refused connection spends a descriptor the cap keeps for others.
    static let linger: TimeAmount = .seconds(1)

    private let budget: ConnectionBudget
    private let log: RefusalLog
    private let retryAfterSeconds: Int
    private var state = State.waiting
    private var refused = false

    private enum State {
        case waiting, counted, released
    }

    init(budget: ConnectionBudget, log: RefusalLog, retryAfterSeconds: Int) {
        self.budget = budget
        self.log = log
        self.retryAfterSeconds = retryAfterSeconds
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Already active: decide once the rest of the pipeline is in place.
        if context.channel.isActive {
            context.eventLoop.assumeIsolated().execute { self.admit(context) }
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !refused { context.fireChannelRead(data) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    private func admit(_ context: ChannelHandlerContext) {
        guard state == .waiting, context.channel.isActive else { return }
        state = .counted
        if budget.admit() { return }
        refused = true
        let refusal = ReceiverError.unavailable(
            "the receiver holds its maximum of \(budget.cap) connections (serve --max-connections); retry later",
            retryAfter: retryAfterSeconds
        )
        log.refused(refusal)
        let written = context.writeAndFlush(wrapOutboundOut(refusal.closingResponseBytes()))
        LingeringClose.install(context, after: written, linger: Self.linger)
    }

    private func release() {
        if state == .counted { budget.release() }
        state = .released
    }
}
