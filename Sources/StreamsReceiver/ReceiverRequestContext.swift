import Hummingbird
import NIOCore
import StreamsArchive

/// Hummingbird's request context plus the request's connection, so that `StreamsResponder` can ask for the body
/// (`ContinueRequest`) once the checks that need no body have passed. A value built per request; holds nothing
/// beyond the request.
struct ReceiverRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any NIOCore.Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Tells the connection the body is wanted: a client waiting on `Expect: 100-continue` gets `100 Continue`.
    func requestBody() {
        channel.triggerUserOutboundEvent(ContinueRequest(), promise: nil)
    }
}
