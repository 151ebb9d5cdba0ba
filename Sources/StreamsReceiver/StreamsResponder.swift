import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StreamsArchive

/// Answers `POST /streams`, `POST /oauth/token`, `GET /healthz` and `GET /metrics`.
///
/// A 200 for `/streams` means every event of the batch is on disk (fsynced) or was already; its body counts
/// them: `{"accepted":…,"duplicates":…,"rejected":…}`.
struct StreamsResponder: HTTPResponder {
    typealias Context = ReceiverRequestContext

    let configuration: ReceiverConfiguration
    let queue: CommitQueue
    let metrics: ReceiverMetrics
    let logger: Logger
    let parser = EnvelopeParser()
    /// `POST /oauth/token`, when OAuth2 is configured.
    let tokenEndpoint: TokenEndpoint?

    func respond(to request: Request, context: Context) async throws -> Response {
        let response: Response
        do {
            response = try await route(request, context: context)
        } catch let refusal {
            logger.warning(
                "request refused",
                metadata: ["http.status": "\(refusal.status.code)", "http.method": "\(request.method)", "http.path": "\(request.uri.path)", "reason": "\(refusal.message)"]
            )
            response = try refusal.response(from: request, context: context)
        }
        metrics.request(status: response.status.code)
        return response
    }

    private func route(_ request: Request, context: Context) async throws(ReceiverError) -> Response {
        switch request.uri.path {
        case "/streams":
            guard request.method == .post else { throw Self.methodNotAllowed("POST") }
            return try await ingest(request, context: context)
        case "/oauth/token":
            guard request.method == .post else { throw Self.methodNotAllowed("POST") }
            return try await token(request, context: context)
        case "/healthz":
            guard request.method == .get || request.method == .head else { throw Self.methodNotAllowed("GET, HEAD") }
            return Self.json(.ok, #"{"status":"ok"}"#)
        case "/metrics":
            guard request.method == .get else { throw Self.methodNotAllowed("GET") }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        default:
            throw ReceiverError(.notFound, "no such endpoint; MoEngage Streams batches go to POST /streams")
        }
    }

    private func ingest(_ request: Request, context: Context) async throws(ReceiverError) -> Response {
        try checkHeaders(request.headers)
        context.requestBody()
        let limit = configuration.maxBodyBytes
        var body: [UInt8]
        do {
            body = Array(buffer: try await request.body.collect(upTo: limit))
        } catch is NIOTooManyBytesError {
            throw ReceiverError(.contentTooLarge, "body larger than \(limit) bytes; split the batch")
        } catch {
            throw ReceiverError(.badRequest, "could not read the request body: \(error)")
        }
        let receivedAt = queue.clock.now()
        if request.headers[.contentEncoding].map(Self.token) == "gzip" || request.headers[.contentEncoding].map(Self.token) == "x-gzip" {
            do throws(GzipBody.Failure) {
                body = try GzipBody.decompress(body, limit: limit)
            } catch {
                switch error {
                case .tooLarge:
                    throw ReceiverError(.contentTooLarge, "gzip body decompresses to more than \(limit) bytes")
                case .corrupt(let reason):
                    try await keepRejected(body, reason: "Content-Encoding: gzip, but the body is not valid gzip: \(reason)", receivedAt: receivedAt)
                }
            }
        }
        let batch: ParsedBatch
        do throws(EnvelopeError) {
            batch = try parser.parse(body, receivedAt: receivedAt)
        } catch {
            try await keepRejected(body, reason: error.description, receivedAt: receivedAt)
        }
        switch await queue.submit(.batch(batch)) {
        case .committed(let accepted, let duplicates, let rejected):
            return Self.json(.ok, #"{"accepted":\#(accepted),"duplicates":\#(duplicates),"rejected":\#(rejected)}"#)
        case .storageFailure(let reason):
            throw ReceiverError.unavailable("could not store the batch durably (\(reason)); retry later", retryAfter: configuration.retryAfterSeconds)
        case .stopping:
            throw ReceiverError.unavailable("the receiver is shutting down; retry later", retryAfter: configuration.retryAfterSeconds)
        }
    }

    /// The client credentials grant (`TokenEndpoint`); 404 where OAuth2 is not configured.
    private func token(_ request: Request, context: Context) async throws(ReceiverError) -> Response {
        guard let endpoint = tokenEndpoint else {
            throw ReceiverError(.notFound, "OAuth2 is not configured on this receiver (\(OAuthSettings.clientsVariable), \(OAuthSettings.keyVariable))")
        }
        context.requestBody()
        let body: [UInt8]
        do {
            body = Array(buffer: try await request.body.collect(upTo: TokenEndpoint.maxBodyBytes))
        } catch {
            throw TokenEndpoint.refusal(.contentTooLarge, "invalid_request", "the form is larger than \(TokenEndpoint.maxBodyBytes) bytes")
        }
        let (token, lifetime) = try endpoint.issue(headers: request.headers, body: body, now: queue.clock.now())
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Pragma")!] = "no-cache"  // RFC 6749 §5.1 asks for both
        var json = JSONBuilder()
        json.beginObject()
        json.string("access_token", token)
        json.string("token_type", "Bearer")
        json.number("expires_in", lifetime.components.seconds)
        json.endObject()
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }

    /// Auth, then content type and encoding: the checks that need no body.
    private func checkHeaders(_ headers: HTTPFields) throws(ReceiverError) {
        let (granted, refusedToken) = configuration.auth.check(headers, now: queue.clock.now())
        guard granted else {
            // Why a token was refused is logged, not sent: it would tell a caller which signatures were good.
            if let refusedToken { logger.info("bearer token refused", metadata: ["reason": "\(refusedToken)"]) }
            let message = refusedToken == nil ? "missing or wrong credentials" : "bearer token refused; get a new one from POST /oauth/token"
            throw ReceiverError(.unauthorized, message, headers: configuration.auth.challenges(refusedToken: refusedToken))
        }
        if let type = headers[.contentType].map(Self.token), type != "application/json", !type.hasSuffix("+json") {
            throw ReceiverError(.unsupportedMediaType, "Content-Type \(type) is not supported; send application/json")
        }
        if let encoding = headers[.contentEncoding].map(Self.token), !["identity", "gzip", "x-gzip"].contains(encoding) {
            throw ReceiverError(.unsupportedMediaType, "Content-Encoding \(encoding) is not supported; send identity or gzip")
        }
        if let length = headers[.contentLength].flatMap({ Int($0) }), length > configuration.maxBodyBytes {
            throw ReceiverError(.contentTooLarge, "body of \(length) bytes is larger than \(configuration.maxBodyBytes); split the batch")
        }
    }

    /// Keeps a body that is not a Streams envelope under rejected/, then refuses it with a 400 — or with a 503
    /// if even that cannot be stored, so MoEngage sends it again.
    private func keepRejected(_ body: [UInt8], reason: String, receivedAt: UTCInstant) async throws(ReceiverError) -> Never {
        let record = body.withUnsafeBytes { RejectedRecord.body($0, reason: reason, receivedAt: receivedAt, limit: configuration.rejectedBodyLimit) }
        switch await queue.submit(.rejectedBody(line: record, receivedAt: receivedAt)) {
        case .committed:
            throw ReceiverError(.badRequest, reason)
        case .storageFailure(let failure):
            throw ReceiverError.unavailable("could not store the rejected body (\(failure)); retry later", retryAfter: configuration.retryAfterSeconds)
        case .stopping:
            throw ReceiverError.unavailable("the receiver is shutting down; retry later", retryAfter: configuration.retryAfterSeconds)
        }
    }

    /// The lowercased value before any `;` parameters.
    private static func token(_ value: String) -> String {
        String(value.split(separator: ";", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }

    private static func methodNotAllowed(_ allowed: String) -> ReceiverError {
        var headers = HTTPFields()
        headers[.allow] = allowed
        return ReceiverError(.methodNotAllowed, "method not allowed here; use \(allowed)", headers: headers)
    }

    private static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
