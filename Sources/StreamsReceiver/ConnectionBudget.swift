import Glibc
import StreamsArchive
import Synchronization

/// How many client connections the receiver holds at once, shared by every connection of the server whatever its
/// event loop.
///
/// Invariant: `open` counts each connection from its activation to its close exactly once, refused ones included
/// (a refused connection holds a descriptor until it is closed). A connection that finds the count above `cap`
/// after counting itself is refused. The count lives in memory only: a crash or restart starts it at zero, which is
/// right because the kernel closes every connection with the process.
final class ConnectionBudget: Sendable {
    /// Most connections served at once; the next ones are answered 503 and closed.
    let cap: Int
    private let open = Atomic<Int>(0)

    init(cap: Int) {
        self.cap = max(1, cap)
    }

    /// Counts a new connection; whether it fits under the cap.
    func admit() -> Bool {
        open.wrappingAdd(1, ordering: .relaxed).newValue <= cap
    }

    /// Forgets a connection counted by `admit`, served or refused.
    func release() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }

    /// The soft `RLIMIT_NOFILE` of this process (what `ulimit -n` shows), capped at 1,048,576 when unlimited.
    static func descriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return min(Int(clamping: limit.rlim_cur), 1 << 20)
    }

    /// The default cap for `limit` descriptors: a quarter is left to the partition writer's files, an eighth (at
    /// least 32) to the process itself (event loops, logs, journals) and to the connections being refused, which
    /// also need a descriptor while they get their 503. The rest is for clients: 160 of 256, 640 of 1024.
    static func defaultCap(descriptorLimit limit: Int) -> Int {
        max(1, limit - limit / 4 - max(32, limit / 8))
    }
}
