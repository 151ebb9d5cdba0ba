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
    /// On the hot paths of the receiver, seal and verify: keys go to a stack buffer (objects in events have a
    /// few dozen keys at most) with a signature of their length and outer bytes; a key is compared with the
    /// earlier ones only when a small filter of the signatures says it may repeat one, by signature first and
    /// in full only when two match, so nothing is allocated. Larger objects go through a set, and objects with
    /// an escaped key (whose signature would be of its escapes) through the full comparison of every pair.
    package func firstRepeatedKey(within node: Int) -> [UInt8]? {
        withUnsafeTemporaryAllocation(of: (key: Int, signature: UInt64).self, capacity: Self.pairwiseKeys) { keys in
            text.withUnsafeBufferPointer { text in
                for index in node..<Int(nodes[node].next) where nodes[index].kind == .object {
                    if let repeated = repeatedKey(of: index, in: text, scratch: keys) { return repeated }
                }
                return nil
            }
        }
    }

    /// A key that occurs twice among `object`'s own members (not inside its values), or nil.
    package func repeatedKey(of object: Int) -> [UInt8]? {
        withUnsafeTemporaryAllocation(of: (key: Int, signature: UInt64).self, capacity: Self.pairwiseKeys) { keys in
            text.withUnsafeBufferPointer { repeatedKey(of: object, in: $0, scratch: keys) }
        }
    }

    /// Objects with up to this many members are checked pairwise in a stack buffer; larger ones by a set.
    private static let pairwiseKeys = 32

    private func repeatedKey(
        of object: Int, in text: UnsafeBufferPointer<UInt8>, scratch keys: UnsafeMutableBufferPointer<(key: Int, signature: UInt64)>
    ) -> [UInt8]? {
        var count = 0
        var large = false
        var escaped = false
        forEachMember(of: object) { key, _ in
            let item = nodes[key]
            escaped = escaped || item.flagged
            if count < keys.count {
                keys[count] = (key, KeyFilter.signature(UnsafeRawPointer(text.baseAddress!), from: Int(item.start) + 1, to: Int(item.end) - 1))
            } else {
                large = true
            }
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
        if escaped {
            for position in 0..<count {
                for other in (position + 1)..<count where sameKey(keys[position].key, keys[other].key) { return stringBytes(keys[position].key) }
            }
            return nil
        }
        var filter = KeyFilter()
        for position in 0..<count where filter.insert(keys[position].signature) {
            for other in 0..<position where keys[other].signature == keys[position].signature && sameKey(keys[other].key, keys[position].key) {
                return stringBytes(keys[position].key)
            }
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
