import Hummingbird
import NIOCore
import NIOHTTP1
import StreamsArchive

/// A refusal written below Hummingbird, where there is no `Response`: as NIO HTTP/1 parts for `HTTP1RulesHandler`,
/// or as finished bytes for `ConnectionLimitHandler`, which answers before any parser runs. Either form carries
/// the JSON body, the error's own headers (`Retry-After`, `WWW-Authenticate`, …) and `Connection: close`: the
/// connection is closed after it.
extension ReceiverError {
    /// The response head, with `Content-Type`, `Content-Length` and `Connection: close`.
    func closingHead(bodyLength: Int) -> HTTPResponseHead {
        var fields = HTTPHeaders()
        for field in headers { fields.add(name: field.name.canonicalName, value: field.value) }
        fields.replaceOrAdd(name: "content-type", value: "application/json")
        fields.replaceOrAdd(name: "content-length", value: String(bodyLength))
        fields.replaceOrAdd(name: "connection", value: "close")
        return HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status.code, reasonPhrase: status.reasonPhrase), headers: fields)
    }

    /// The whole response as HTTP/1.1 bytes.
    func closingResponseBytes() -> ByteBuffer {
        let body = jsonBody
        let head = closingHead(bodyLength: body.count)
        var buffer = ByteBuffer()
        buffer.writeString("HTTP/1.1 \(head.status.code) \(head.status.reasonPhrase)\r\n")
        for (name, value) in head.headers { buffer.writeString("\(name): \(value)\r\n") }
        buffer.writeString("\r\n")
        buffer.writeBytes(body)
        return buffer
    }
}
