import Glibc
import StreamsArchive

/// The names a scan looks for, found by length first so most keys of a line are dismissed without comparing.
struct KeyTable {
    private let byLength: [[(index: Int, name: [UInt8])]]

    init(_ names: [[UInt8]]) {
        var byLength = [[(index: Int, name: [UInt8])]](repeating: [], count: (names.map(\.count).max() ?? 0) + 1)
        for (index, name) in names.enumerated() { byLength[name.count].append((index, name)) }
        self.byLength = byLength
    }

    func index(of key: KeyBytes) -> Int? {
        if key.escaped { return byLength.joined().first { key.equals($0.name) }?.index }
        guard key.count < byLength.count else { return nil }
        for candidate in byLength[key.count] where key.equals(candidate.name) { return candidate.index }
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
