import Glibc

/// Where the archive reads the time: the one source of "now" for the writer, the receiver, seal, retention
/// and the nightly run. Tests pass a fixed clock; everything else uses `SystemClock`.
public protocol ArchiveClock: Sendable {
    func now() -> UTCInstant
}

/// The system's wall clock (`CLOCK_REALTIME`), in UTC.
public struct SystemClock: ArchiveClock {
    public init() {}

    public func now() -> UTCInstant {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UTCInstant(millisecondsSinceEpoch: Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000)
    }
}

/// A clock that says what it is told, for tests and reproducible runs.
public struct FixedClock: ArchiveClock {
    public let instant: UTCInstant

    public init(_ instant: UTCInstant) {
        self.instant = instant
    }

    public func now() -> UTCInstant { instant }
}
