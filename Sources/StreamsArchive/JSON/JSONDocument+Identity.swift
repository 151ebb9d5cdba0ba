import Glibc

/// Byte-exact reading of strings and keys: the identity rules (`EventUUID`, repeated keys) compare the
/// unescaped UTF-8 bytes, never Swift `String`s, whose equality is Unicode canonical equivalence.
extension JSONDocument {
    /// A string node's content with its escapes decoded, as UTF-8 bytes; nil for other kinds.
    package func stringBytes(_ node: Int) -> [UInt8]? {
        let item = nodes[node]
        guard item.kind == .string else { return nil }
        let content = Array(text[Int(item.start) + 1..<Int(item.end) - 1])
        return item.flagged ? JSONEscapes.decodeString(content) : content
    }

    /// The `event_uuid` of an event object: its unescaped bytes; nil when absent or not a string.
    package func eventUUID(of object: Int) -> EventUUID? {
        member(of: object, named: "event_uuid").flatMap(stringBytes).map(EventUUID.init(bytes:))
    }

    /// The first key that occurs twice in one object anywhere inside `node` (keys compared as unescaped
    /// bytes), or nil. JSON parsers disagree on which of two repeated keys counts (jq and Python keep the last,
    /// this scanner's lookups the first), so the archive refuses such events at any depth and every reader
    /// agrees on every stored line.
    ///
    /// On the receiver's hot path: keys without escapes are compared in place, pairwise (objects in events
    /// have a few dozen keys at most), so nothing is allocated; larger objects go through a set.
    package func firstRepeatedKey(within node: Int) -> [UInt8]? {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.pairwiseKeys) { keys in
            for index in node..<Int(nodes[node].next) where nodes[index].kind == .object {
                if let repeated = repeatedKey(of: index, scratch: keys) { return repeated }
            }
            return nil
        }
    }

    /// A key that occurs twice among `object`'s own members (not inside its values), or nil.
    package func repeatedKey(of object: Int) -> [UInt8]? {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.pairwiseKeys) { repeatedKey(of: object, scratch: $0) }
    }

    /// Objects with up to this many members are checked pairwise in a stack buffer; larger ones by a set.
    private static let pairwiseKeys = 32

    private func repeatedKey(of object: Int, scratch keys: UnsafeMutableBufferPointer<Int>) -> [UInt8]? {
        var count = 0
        var large = false
        forEachMember(of: object) { key, _ in
            if count < keys.count { keys[count] = key } else { large = true }
            count += 1
        }
        if large {
            var seen = Set<[UInt8]>()
            var repeated: [UInt8]?
            forEachMember(of: object) { key, _ in
                if repeated == nil, !seen.insert(stringBytes(key) ?? []).inserted { repeated = stringBytes(key) }
            }
            return repeated
        }
        for position in 0..<count {
            for other in (position + 1)..<count where sameKey(keys[position], keys[other]) { return stringBytes(keys[position]) }
        }
        return nil
    }

    /// Whether two key nodes are the same key: their unescaped bytes are equal.
    private func sameKey(_ a: Int, _ b: Int) -> Bool {
        let x = nodes[a], y = nodes[b]
        guard x.flagged || y.flagged else {
            let length = Int(x.end - x.start)
            return length == Int(y.end - y.start)
                && text.withUnsafeBufferPointer { memcmp($0.baseAddress! + Int(x.start), $0.baseAddress! + Int(y.start), length) == 0 }
        }
        return stringBytes(a) == stringBytes(b)
    }
}
