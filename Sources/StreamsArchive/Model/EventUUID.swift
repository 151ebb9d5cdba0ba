/// An event's identity: the UTF-8 bytes of its `event_uuid` after JSON unescaping, compared byte for byte.
///
/// The one rule for "the same event" everywhere: the receiver's dedup, seal, report, timelines and verify.
/// `"é"` written raw in one body and as `"\u00e9"` in a retry is one event (same bytes once unescaped);
/// precomposed `é` and `e` followed by a combining acute are two events, as they are to MoEngage, DuckDB and
/// Spark, although Swift's `String` calls them equal (canonical equivalence). So no `String` is ever used as
/// an event's key.
public struct EventUUID: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The 128-bit fingerprint of the bytes, as dedup indexes keep it.
    package var fingerprint: Fingerprint { Fingerprint(bytes) }

    public var description: String { String(decoding: bytes, as: UTF8.self) }
}
