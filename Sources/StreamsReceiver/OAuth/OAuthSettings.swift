import StreamsArchive

/// OAuth2 client credentials (RFC 6749 §4.4) for the receiver, read from the environment so that secrets
/// never appear on a command line or in a log: the clients allowed to ask `POST /oauth/token` for a token,
/// the key tokens are signed with, and how long a token lasts.
///
/// Every receiver given the same key accepts the tokens of every other, and a token outlives a restart: a
/// token is checked by its signature and expiry alone (`AccessToken`), never looked up. Taking a client out
/// of `STREAMS_OAUTH_CLIENTS` revokes its tokens at the next restart.
public struct OAuthSettings: Sendable {
    public static let clientsVariable = "STREAMS_OAUTH_CLIENTS"
    public static let keyVariable = "STREAMS_OAUTH_KEY"
    public static let lifetimeVariable = "STREAMS_OAUTH_TOKEN_SECONDS"

    /// Client id → secret.
    let clients: [String: [UInt8]]
    let key: [UInt8]
    let lifetime: Duration
    /// Tokens one client may be issued in a burst, and how often one more is allowed.
    let burst: Int
    let refill: Duration

    /// The shortest key and secret accepted: a key of 32 bytes is HMAC-SHA256's own strength.
    static let minimumKeyBytes = 32
    static let minimumSecretBytes = 16

    /// nil when `STREAMS_OAUTH_CLIENTS` is not set. Errors name the variable, never its value.
    public init?(environment: [String: String]) throws(ConfigurationError) {
        guard let list = environment[Self.clientsVariable] else { return nil }
        var clients: [String: [UInt8]] = [:]
        for entry in list.split(separator: ",", omittingEmptySubsequences: false) {
            guard let colon = entry.firstIndex(of: ":"), colon != entry.startIndex else {
                throw ConfigurationError("\(Self.clientsVariable) must be id:secret[,id:secret…]")
            }
            let id = String(entry[..<colon])
            let secret = Array(entry[entry.index(after: colon)...].utf8)
            guard secret.count >= Self.minimumSecretBytes else {
                throw ConfigurationError("\(Self.clientsVariable): client \(id)'s secret is shorter than \(Self.minimumSecretBytes) characters; make one with `openssl rand -hex 16`")
            }
            guard clients.updateValue(secret, forKey: id) == nil else { throw ConfigurationError("\(Self.clientsVariable) names client \(id) twice") }
        }
        guard let key = environment[Self.keyVariable], key.utf8.count >= Self.minimumKeyBytes else {
            throw ConfigurationError(
                "\(Self.clientsVariable) needs \(Self.keyVariable), at least \(Self.minimumKeyBytes) characters, the same on every receiver that should accept the tokens; make one with `openssl rand -hex 32`"
            )
        }
        var lifetime = Duration.seconds(3600)
        if let text = environment[Self.lifetimeVariable] {
            guard let seconds = Int(text), (60...86_400).contains(seconds) else {
                throw ConfigurationError("\(Self.lifetimeVariable) must be a number of seconds from 60 to 86400")
            }
            lifetime = .seconds(seconds)
        }
        self.init(clients: clients, key: Array(key.utf8), lifetime: lifetime)
    }

    init(clients: [String: [UInt8]], key: [UInt8], lifetime: Duration, burst: Int = 10, refill: Duration = .seconds(6)) {
        self.clients = clients
        self.key = key
        self.lifetime = lifetime
        self.burst = burst
        self.refill = refill
    }
}
