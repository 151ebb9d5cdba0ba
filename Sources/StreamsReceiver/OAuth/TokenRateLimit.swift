import Synchronization

/// How many tokens each client may be issued: a bucket per client of `burst` tokens, one more every `refill`
/// (10 at once, then one every 6 s, by default). A sender asks again only as its token nears expiry, so this
/// never holds back one that works as MoEngage does; it stops a client that asks in a loop from costing the
/// receiver more than a signature a few seconds. Shared by every connection; counts are per process.
final class TokenRateLimit: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let burst: Int
    private let refill: Duration
    private let buckets = Mutex<[String: Bucket]>([:])

    init(burst: Int, refill: Duration) {
        self.burst = burst
        self.refill = refill
    }

    /// Takes one issue from `client`'s bucket; nil if allowed, else how long until the next is.
    func take(_ client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: Double(burst), updated: now)
            bucket.tokens = min(Double(burst), bucket.tokens + (now - bucket.updated) / refill)
            bucket.updated = now
            defer { buckets[client] = bucket }
            guard bucket.tokens >= 1 else { return refill * (1 - bucket.tokens) }
            bucket.tokens -= 1
            return nil
        }
    }
}
