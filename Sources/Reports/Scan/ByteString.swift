import Glibc
import StreamsArchive

/// A JSON value's text as exact UTF-8 bytes, compared and hashed byte for byte.
///
/// Swift's `String` equality is Unicode canonical equivalence: "é" written precomposed and decomposed are
/// equal strings, yet they are two different uids to MoEngage, DuckDB and Spark. Keys, dedup and sort order
/// on the batch side therefore use bytes, which also makes them cheaper to hash.
public struct ByteString: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    public static let empty = ByteString([])

    public var description: String { String(decoding: bytes, as: UTF8.self) }

    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// Byte order: what DuckDB and Spark use for strings, so all three sort a report the same way.
    public static func < (lhs: ByteString, rhs: ByteString) -> Bool {
        let common = min(lhs.bytes.count, rhs.bytes.count)
        let order =
            common == 0 ? 0 : lhs.bytes.withUnsafeBytes { l in rhs.bytes.withUnsafeBytes { r in memcmp(l.baseAddress!, r.baseAddress!, common) } }
        return order != 0 ? order < 0 : lhs.bytes.count < rhs.bytes.count
    }
}

extension JSONDocument {
    /// A value as text: a string's decoded bytes, any other value's JSON text; nil for null.
    public func text(_ node: Int) -> ByteString? {
        let item = nodes[node]
        switch item.kind {
        case .null: return nil
        case .string:
            guard item.flagged else { return ByteString(Array(text[Int(item.start) + 1..<Int(item.end) - 1])) }
            return ByteString(string(node) ?? "")
        default: return ByteString(Array(raw(node)))
        }
    }

    /// `text` of the member `name` of `object`; nil when absent or null.
    public func text(of object: Int, _ name: String) -> ByteString? {
        member(of: object, named: name).flatMap(text)
    }
}
