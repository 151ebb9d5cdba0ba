import Foundation
import HTTPTypes
import StreamsArchive

/// `POST /oauth/token`: the client credentials grant (RFC 6749 §4.4). A client authenticates with HTTP Basic
/// (id and secret each form-encoded, §2.3.1) or with `client_id` and `client_secret` in the form body (§2.3.1
/// allows either; using both is refused), asks for `grant_type=client_credentials`, and gets
/// `{"access_token":…,"token_type":"Bearer","expires_in":…}` with `Cache-Control: no-store`.
///
/// Refusals carry RFC 6749 §5.2's codes: `invalid_request` (400: not a form, a parameter twice, none of
/// the grant), `invalid_client` (401, with a Basic challenge: unknown client or wrong secret),
/// `unsupported_grant_type` (400), and 429 with Retry-After past the client's rate (`TokenRateLimit`).
/// Secrets are compared in constant time; nothing is stored.
struct TokenEndpoint: Sendable {
    let settings: OAuthSettings
    let limit: TokenRateLimit

    init(settings: OAuthSettings) {
        self.settings = settings
        limit = TokenRateLimit(burst: settings.burst, refill: settings.refill)
    }

    /// The largest form accepted: a grant and two credentials fit in far less.
    static let maxBodyBytes = 4096

    func issue(headers: HTTPFields, body: [UInt8], now: UTCInstant) throws(ReceiverError) -> (token: String, expiresIn: Duration) {
        let contentType = headers[.contentType].map { String($0.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces).lowercased() }
        guard contentType == "application/x-www-form-urlencoded" else {
            throw Self.refusal(.badRequest, "invalid_request", "send the grant as application/x-www-form-urlencoded")
        }
        let form = try Self.form(body)
        let basic = headers[values: .authorization].compactMap(Self.basicCredentials).first
        let inBody = form["client_id"].map { (id: $0, secrets: [form["client_secret"] ?? ""]) }
        let client: (id: String, secrets: [String])
        if let basic {
            // Some clients also send their client_id in the body beside Basic: fine if it is the same and the
            // body carries no secret (§2.3.1: one authentication method).
            guard form["client_secret"] == nil, inBody.map({ $0.id == basic.id }) ?? true else {
                throw Self.refusal(.badRequest, "invalid_request", "authenticate with HTTP Basic or with client_id and client_secret in the body, not both")
            }
            client = basic
        } else if let inBody {
            client = inBody
        } else {
            throw Self.invalidClient("no client credentials; send HTTP Basic client_id:client_secret")
        }
        guard let secret = settings.clients[client.id], client.secrets.contains(where: { ReceiverAuth.constantTimeEquals(Array($0.utf8), secret) }) else {
            throw Self.invalidClient("unknown client or wrong secret")
        }
        guard let grant = form["grant_type"] else { throw Self.refusal(.badRequest, "invalid_request", "grant_type is missing; send grant_type=client_credentials") }
        guard grant == "client_credentials" else {
            throw Self.refusal(.badRequest, "unsupported_grant_type", "only grant_type=client_credentials is supported")
        }
        if let wait = limit.take(client.id) {
            let seconds = Int(wait.components.seconds) + 1
            var retry = HTTPFields()
            retry[.retryAfter] = String(seconds)
            throw ReceiverError(
                .tooManyRequests, "too many tokens for client \(client.id); a token lasts \(settings.lifetime.components.seconds) s, reuse it", headers: retry,
                oauthCode: "temporarily_unavailable"
            )
        }
        let token = AccessToken(client: client.id, issued: now, expires: UTCInstant(millisecondsSinceEpoch: now.millisecondsSinceEpoch + settings.lifetime.milliseconds))
        return (token.encoded(key: settings.key), settings.lifetime)
    }

    /// The form's parameters; a parameter sent twice is refused (RFC 6749 §3.2).
    static func form(_ body: [UInt8]) throws(ReceiverError) -> [String: String] {
        guard body.count <= maxBodyBytes else { throw refusal(.contentTooLarge, "invalid_request", "the form is larger than \(maxBodyBytes) bytes") }
        var form: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else {
                throw refusal(.badRequest, "invalid_request", "the form is not valid percent-encoding")
            }
            // RFC 6749 §3.2: a parameter without a value is as if omitted.
            guard !value.isEmpty else { continue }
            guard form.updateValue(value, forKey: name) == nil else {
                // The name is echoed (to the log and the caller) only when it is one of the grant's own.
                let known = ["grant_type", "client_id", "client_secret", "scope"].contains(name)
                throw refusal(.badRequest, "invalid_request", known ? "\(name) is sent more than once" : "a parameter is sent more than once")
            }
        }
        return form
    }

    /// The client id and the secret from an `Authorization: Basic` value. RFC 6749 §2.3.1 has each part
    /// form-encoded first, which many clients (curl's `-u` among them) skip: the secret is tried both as sent
    /// and decoded, so a `+` or `%` in it works either way.
    static func basicCredentials(_ value: String) -> (id: String, secrets: [String])? {
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic", let raw = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            return nil
        }
        let text = String(decoding: raw, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let (id, secret) = (text[..<colon], text[text.index(after: colon)...])
        return (decode(id) ?? String(id), [String(secret)] + (decode(secret).map { [$0] } ?? []))
    }

    /// application/x-www-form-urlencoded: `+` is a space, `%XX` a byte.
    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    static func refusal(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> ReceiverError {
        ReceiverError(status, message, oauthCode: code)
    }

    static func invalidClient(_ message: String) -> ReceiverError {
        var challenge = HTTPFields()
        challenge[.wwwAuthenticate] = #"Basic realm="streams-archive""#
        return ReceiverError(.unauthorized, message, headers: challenge, oauthCode: "invalid_client")
    }
}

extension Duration {
    /// Whole milliseconds.
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
