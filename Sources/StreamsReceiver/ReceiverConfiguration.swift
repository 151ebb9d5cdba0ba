import StreamsArchive

/// How `serve` runs. Defaults are what production should start with.
public struct ReceiverConfiguration: Sendable {
    public var root: String
    public var host: String = "127.0.0.1"
    /// 0 picks a free port (printed when listening).
    public var port: Int = 8080
    /// Largest request body, compressed or not, and largest decompressed gzip body.
    public var maxBodyBytes: Int = 16 << 20
    /// A request must arrive whole within this many seconds of the connection opening or the last response.
    public var readTimeout: Duration = .seconds(30)
    /// zlib level of the receiver's members; sealing recompresses closed hours at 9.
    public var level: Int32 = 6
    /// How long an acknowledged event_uuid is remembered (MoEngage retries within about 3.5 minutes).
    public var dedupWindow: Duration = .seconds(600)
    /// Most event_uuids remembered at once (about 40 bytes each).
    public var dedupCapacity: Int = 4_000_000
    /// Bytes of an invalid body kept under rejected/.
    public var rejectedBodyLimit: Int = 1 << 20
    /// Seconds a 503 asks the client to wait.
    public var retryAfterSeconds: Int = 30
    public var auth: ReceiverAuth = .none
    /// Where `received_at`, commit times and dedup expiry come from.
    public var clock: any ArchiveClock = SystemClock()
    /// Most client connections held at once; the next ones get 503 with Retry-After. nil: derived from the open-file
    /// limit, leaving a quarter of it to partition files and an eighth to the process (160 of 256, 640 of 1024).
    public var maxConnections: Int?
    /// Where to write a `ReceiverReadiness` once listening (for a supervisor in another process); nil: nowhere.
    public var readyFile: String?

    public init(root: String) {
        self.root = root
    }

    /// Whether `host` only accepts connections from this machine.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
