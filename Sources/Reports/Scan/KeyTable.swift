import Glibc
import StreamsArchive

/// The names a scan looks for, found by length first so most keys of a line are dismissed without comparing;
/// a name of 8 bytes or more is then compared as two words, its first and its last eight bytes (and in full
/// only past 16 bytes), without a call to `memcmp`.
struct KeyTable {
    private struct Name {
        let index: Int
        let bytes: [UInt8]
        let head: UInt64
        let tail: UInt64

        init(index: Int, bytes: [UInt8]) {
            self.index = index
            self.bytes = bytes
            (head, tail) = bytes.count < 8 ? (0, 0) : bytes.withUnsafeBytes { (Self.word($0.baseAddress!), Self.word($0.baseAddress! + bytes.count - 8)) }
        }

        /// Whether `key`, of this name's length, is this name.
        func matches(_ key: KeyBytes) -> Bool {
            guard bytes.count >= 8 else { return key.equals(bytes) }
            return Self.word(key.start) == head && Self.word(key.start + bytes.count - 8) == tail && (bytes.count <= 16 || key.equals(bytes))
        }

        static func word(_ pointer: UnsafeRawPointer) -> UInt64 { pointer.loadUnaligned(as: UInt64.self) }
    }

    private let byLength: [[Name]]

    init(_ names: [[UInt8]]) {
        var byLength = [[Name]](repeating: [], count: (names.map(\.count).max() ?? 0) + 1)
        for (index, name) in names.enumerated() { byLength[name.count].append(Name(index: index, bytes: name)) }
        self.byLength = byLength
    }

    func index(of key: KeyBytes) -> Int? {
        if key.escaped { return byLength.joined().first { key.equals($0.bytes) }?.index }
        guard key.count < byLength.count else { return nil }
        for candidate in byLength[key.count] where candidate.matches(key) { return candidate.index }
        return nil
    }
}

/// A key's bytes as written, compared without allocating unless it holds escapes: then, like every reader of
/// the archive, by its unescaped bytes (`"event\u005fuuid"` is `event_uuid`).
struct KeyBytes {
    let start: UnsafePointer<UInt8>
    let count: Int
    var escaped = false

    func equals(_ name: [UInt8]) -> Bool {
        guard !escaped else { return JSONEscapes.decodeString(Array(UnsafeBufferPointer(start: start, count: count))) == name }
        return count == name.count && name.withUnsafeBytes { memcmp(start, $0.baseAddress!, count) == 0 }
    }
}
