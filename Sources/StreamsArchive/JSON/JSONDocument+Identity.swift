/// Byte-exact reading of strings and keys: the identity rules (`EventUUID`, repeated keys) compare the
/// unescaped UTF-8 bytes, never Swift `String`s, whose equality is Unicode canonical equivalence.
extension JSONDocument {
    /// A string node's content with its escapes decoded, as UTF-8 bytes; nil for other kinds.
    public func stringBytes(_ node: Int) -> [UInt8]? {
        let item = nodes[node]
        guard item.kind == .string else { return nil }
        let content = Array(text[Int(item.start) + 1..<Int(item.end) - 1])
        return item.flagged ? JSONEscapes.decodeString(content) : content
    }

    /// The `event_uuid` of an event object: its unescaped bytes; nil when absent or not a string.
    public func eventUUID(of object: Int) -> EventUUID? {
        member(of: object, named: "event_uuid").flatMap(stringBytes).map(EventUUID.init(bytes:))
    }

    /// The first key that occurs twice in one object anywhere inside `node` (keys compared as unescaped
    /// bytes), or nil. JSON parsers disagree on which of two repeated keys counts (jq and Python keep the last,
    /// this scanner's lookups the first), so the archive refuses such events at any depth and every reader
    /// agrees on every stored line.
    public func firstRepeatedKey(within node: Int) -> [UInt8]? {
        let end = Int(nodes[node].next)
        var index = node
        var keys = Set<[UInt8]>()
        while index < end {
            if nodes[index].kind == .object {
                keys.removeAll(keepingCapacity: true)
                var repeated: [UInt8]?
                forEachMember(of: index) { key, _ in
                    if repeated == nil, let name = stringBytes(key), !keys.insert(name).inserted { repeated = name }
                }
                if let repeated { return repeated }
            }
            index += 1
        }
        return nil
    }
}
