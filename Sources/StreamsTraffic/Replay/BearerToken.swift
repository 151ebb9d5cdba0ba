import Foundation
import StreamsArchive
import StreamsReceiver
import Synchronization

/// The bearer token `replay` sends when it has OAuth2 client credentials (`STREAMS_OAUTH_CLIENT=id:secret`),
/// got as MoEngage gets it: `POST /oauth/token` on the target with HTTP Basic and
/// `grant_type=client_credentials`, kept until shortly before it expires (`margin`), and asked for again after a
/// 401.
/// Shared by every client thread; one thread fetches while the others wait for the same token.
public final class BearerToken: Sendable {
    public static let clientVariable = "STREAMS_OAUTH_CLIENT"
    /// Renewed this long before it expires (a tenth of its lifetime, at most a minute), so no request carries
    /// a token that expires on the way, and a short-lived token is not fetched again for every request.
    static func margin(lifetime: Int) -> Duration { min(.seconds(60), .seconds(lifetime) / 10) }

    let host: String
    let port: Int
    private let basic: String
    private let current = Mutex<(token: String, renewAt: ContinuousClock.Instant)?>(nil)

    /// nil without `STREAMS_OAUTH_CLIENT`. Errors name the variable, never its value.
    public init?(host: String, port: Int, environment: [String: String]) throws(ConfigurationError) {
        guard let credentials = environment[Self.clientVariable] else { return nil }
        guard let colon = credentials.firstIndex(of: ":"), colon != credentials.startIndex else {
            throw ConfigurationError("\(Self.clientVariable) must be client_id:client_secret")
        }
        // RFC 6749 §2.3.1: each part form-encoded, then Basic.
        func encoded(_ part: Substring) -> String {
            part.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? String(part)
        }
        let pair = encoded(credentials[..<colon]) + ":" + encoded(credentials[credentials.index(after: colon)...])
        basic = "Basic " + Data(pair.utf8).base64EncodedString()
        self.host = host
        self.port = port
    }

    /// The `Authorization` header to send now, fetching a token first if there is none or it is due.
    func header(over connection: HTTPConnection) throws -> (String, String) {
        try current.withLock { current in
            if let current, ContinuousClock.now < current.renewAt { return ("Authorization", "Bearer " + current.token) }
            let fetched = try fetch(over: connection)
            current = fetched
            return ("Authorization", "Bearer " + fetched.token)
        }
    }

    /// Forgets `header`'s token after a 401, so the next request fetches a new one.
    func refused(_ header: (String, String)) {
        current.withLock { current in
            if let held = current, "Bearer " + held.token == header.1 { current = nil }
        }
    }

    /// The token endpoint did not give a token: its status and what it said.
    struct Refused: Error, CustomStringConvertible {
        let status: Int
        let body: String
        var description: String { "token request answered \(status): \(body)" }
    }

    private func fetch(over connection: HTTPConnection) throws -> (token: String, renewAt: ContinuousClock.Instant) {
        let reply = try connection.request(
            "POST", "/oauth/token", headers: [("Authorization", basic), ("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("grant_type=client_credentials".utf8)
        )
        guard reply.status == 200, let fields = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any],
            let token = fields["access_token"] as? String, let lifetime = fields["expires_in"] as? Int
        else {
            throw Refused(status: reply.status, body: String(decoding: reply.body, as: UTF8.self))
        }
        return (token, .now + .seconds(max(0, lifetime)) - Self.margin(lifetime: max(0, lifetime)))
    }
}
