import Hummingbird
import StreamsArchive

/// An answer other than 200, with the status MoEngage acts on and a message a person can act on.
///
/// Bad input gets a 4xx (MoEngage's retries will not help, and the body is kept under rejected/); trouble
/// on our side gets a 503 with Retry-After (a retry will help). Nothing a client sends produces a 500.
package struct ReceiverError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    package let status: HTTPResponse.Status
    package let message: String
    package var headers: HTTPFields
    /// An OAuth2 error code (RFC 6749 §5.2), for refusals of the token endpoint.
    package let oauthCode: String?

    package init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:], oauthCode: String? = nil) {
        self.status = status
        self.message = message
        self.headers = headers
        self.oauthCode = oauthCode
    }

    package var description: String { "\(status.code) \(message)" }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: jsonBody)))
    }

    /// `{"error":message,"status":code}`, the body of every refusal; for the token endpoint
    /// `{"error":oauthCode,"error_description":message,"status":code}`, as RFC 6749 §5.2 has it.
    var jsonBody: [UInt8] {
        var json = JSONBuilder()
        json.beginObject()
        if let oauthCode {
            json.string("error", oauthCode)
            json.string("error_description", message)
        } else {
            json.string("error", message)
        }
        json.number("status", status.code)
        json.endObject()
        return json.bytes
    }

    static func unavailable(_ message: String, retryAfter: Int) -> ReceiverError {
        var headers = HTTPFields()
        headers[.retryAfter] = String(retryAfter)
        return ReceiverError(.serviceUnavailable, message, headers: headers)
    }
}
