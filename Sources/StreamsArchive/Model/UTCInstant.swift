/// A point in time, as the archive records it: milliseconds since 1970-01-01T00:00:00Z (what `received_at`
/// and `sealed_at` hold). Spans between instants are `Duration`s; no API takes a bare count of seconds or
/// milliseconds for a time.
public struct UTCInstant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public init(secondsSinceEpoch: Int64) {
        millisecondsSinceEpoch = secondsSinceEpoch * 1000
    }

    /// Whole seconds since the epoch (rounded down), as `event_time` counts.
    public var secondsSinceEpoch: Int64 {
        millisecondsSinceEpoch >= 0 ? millisecondsSinceEpoch / 1000 : (millisecondsSinceEpoch - 999) / 1000
    }

    /// The UTC date this instant falls on.
    public var date: UTCDate { UTCDate(epochSeconds: secondsSinceEpoch) }

    public var description: String { "\(millisecondsSinceEpoch) ms since the epoch" }

    public static func < (lhs: UTCInstant, rhs: UTCInstant) -> Bool { lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch }

    public static func + (instant: UTCInstant, span: Duration) -> UTCInstant {
        UTCInstant(millisecondsSinceEpoch: instant.millisecondsSinceEpoch + span.wholeMilliseconds)
    }

    public static func - (instant: UTCInstant, span: Duration) -> UTCInstant {
        UTCInstant(millisecondsSinceEpoch: instant.millisecondsSinceEpoch - span.wholeMilliseconds)
    }

    /// The span from `earlier` to this instant.
    public static func - (later: UTCInstant, earlier: UTCInstant) -> Duration {
        .milliseconds(later.millisecondsSinceEpoch - earlier.millisecondsSinceEpoch)
    }
}

extension UTCDate {
    /// 00:00:00 UTC of this date.
    public var start: UTCInstant { UTCInstant(secondsSinceEpoch: startEpochSeconds) }
}

extension Duration {
    /// The span in whole milliseconds (rounded toward zero).
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
