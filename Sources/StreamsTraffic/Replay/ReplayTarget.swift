import Foundation
import StreamsArchive
import StreamsReceiver

/// Where `replay` sends, parsed from a URL like `http://127.0.0.1:8080/streams`, with the credentials from the
/// same environment variables `serve` reads, and OAuth2 client credentials as a sender has them
/// (`BearerToken`).
public struct ReplayTarget: Sendable {
    public let host: String
    public let port: Int
    public let path: String
    public let headers: [(String, String)]
    /// OAuth2 client credentials' token, when `STREAMS_OAUTH_CLIENT` is set.
    public let bearer: BearerToken?

    public init(url: String, environment: [String: String]) throws(ConfigurationError) {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host, !host.isEmpty else {
            throw ConfigurationError("--url must be http://HOST:PORT/PATH (TLS belongs to a proxy in front of the receiver)")
        }
        self.host = host
        port = components.port ?? 80
        path = components.path.isEmpty ? "/" : components.path
        headers = [("Content-Type", "application/json")] + (try ReceiverAuth(environment: environment)).clientHeaders
        bearer = try BearerToken(host: host, port: port, environment: environment)
    }
}
