import Logging
import StreamsArchive

/// Logs and counts a request the receiver refuses outside `StreamsResponder` (the HTTP/1 rules in front of it, the
/// connection limit, NIO's parser), in the responder's own shape: a `request refused` warning with `http.status`,
/// `reason` and, when a request line was read, `http.method` and `http.path`; and one count in
/// `streams_requests_total` by status. Holds no state of its own; callable from any event loop.
struct RefusalLog: Sendable {
    let logger: Logger
    let metrics: ReceiverMetrics

    func refused(_ refusal: ReceiverError, method: String? = nil, path: String? = nil) {
        var metadata: Logger.Metadata = ["http.status": "\(refusal.status.code)", "reason": "\(refusal.message)"]
        if let method { metadata["http.method"] = "\(method)" }
        if let path { metadata["http.path"] = "\(path)" }
        logger.warning("request refused", metadata: metadata)
        metrics.request(status: refusal.status.code)
    }
}
