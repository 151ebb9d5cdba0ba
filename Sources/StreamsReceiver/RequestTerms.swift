import Hummingbird
import NIOHTTP1
import StreamsArchive

/// What a request head commits its connection to, decided from the head alone before Hummingbird sees the request:
/// whether the connection persists (RFC 9112 §9.3: HTTP/1.1 unless `Connection: close`, HTTP/1.0 only with
/// `Connection: keep-alive`, tokens case-insensitive), whether the client waits for `100 Continue` (RFC 9110 §10.1.1,
/// ignored in HTTP/1.0), and whether the body's transfer coding is one we can read (plain `chunked` only).
/// A head it cannot accept throws the refusal to send instead: 501 for another transfer coding, 417 for another
/// expectation. A pure value: no I/O, nothing to crash.
struct RequestTerms: Equatable, Sendable {
    /// The connection stays open for another request after the response.
    let keepAlive: Bool
    /// The response must say `Connection: keep-alive`, or an HTTP/1.0 client closes anyway.
    let announcesKeepAlive: Bool
    /// The client waits for `100 Continue` before it sends the body.
    let expectsContinue: Bool

    init(_ head: HTTPRequestHead) throws(ReceiverError) {
        let codings = head.headers[canonicalForm: "transfer-encoding"].map { $0.lowercased() }
        if !codings.isEmpty && codings != ["chunked"] {
            throw ReceiverError(
                .notImplemented,
                "Transfer-Encoding \(codings.joined(separator: ", ")) is not supported; send the body with Content-Length or Transfer-Encoding: chunked, compressed with Content-Encoding: gzip if you like"
            )
        }
        let http10 = head.version.major == 1 && head.version.minor == 0
        let expectations = http10 ? [] : head.headers[canonicalForm: "expect"].map { $0.lowercased() }
        if expectations.contains(where: { $0 != "100-continue" }) {
            throw ReceiverError(.expectationFailed, "Expect \(expectations.joined(separator: ", ")) is not supported; only Expect: 100-continue is")
        }
        keepAlive = head.isKeepAlive
        announcesKeepAlive = http10 && head.isKeepAlive
        expectsContinue = !expectations.isEmpty
    }
}
