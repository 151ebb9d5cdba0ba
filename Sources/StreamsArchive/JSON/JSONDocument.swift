import Glibc

/// A validated JSON text and its tape, with lookups that do not decode what they do not need.
package struct JSONDocument: Sendable {
    package private(set) var text: [UInt8]
    package private(set) var nodes: [JSONNode]

    package init(text: [UInt8] = [], nodes: [JSONNode] = []) {
        self.text = text
        self.nodes = nodes
    }

    /// Replaces this document with `line`, validated; capacity is reused across calls.
    package mutating func scan(_ line: UnsafeRawBufferPointer, with scanner: JSONScanner) throws(JSONSyntaxError) {
        _ = try replace(with: line) { (raw, nodes) throws(JSONSyntaxError) in
            try scanner.scan(raw, nodes: &nodes)
            return true
        }
    }

    /// `scan(_:with:)`, returning whether an object may repeat a key (`JSONScanner.scanCheckingKeys`): false
    /// proves none does.
    package mutating func scanCheckingKeys(_ line: UnsafeRawBufferPointer, with scanner: JSONScanner) throws(JSONSyntaxError) -> Bool {
        try replace(with: line) { (raw, nodes) throws(JSONSyntaxError) in try scanner.scanCheckingKeys(raw, nodes: &nodes) }
    }

    private mutating func replace(
        with line: UnsafeRawBufferPointer, _ scan: (UnsafeRawBufferPointer, inout [JSONNode]) throws(JSONSyntaxError) -> Bool
    ) throws(JSONSyntaxError) -> Bool {
        text.removeAll(keepingCapacity: true)
        text.append(contentsOf: line)
        var scanned: [JSONNode] = []
        swap(&scanned, &nodes)
        defer { swap(&scanned, &nodes) }
        return try withBytes(text) { (raw) throws(JSONSyntaxError) in try scan(raw, &scanned) }
    }

    /// The top-level value.
    package var root: Int { 0 }

    package func kind(_ node: Int) -> JSONKind { nodes[node].kind }

    /// The exact bytes of a value as written (strings keep their quotes and escapes).
    package func raw(_ node: Int) -> ArraySlice<UInt8> {
        text[Int(nodes[node].start)..<Int(nodes[node].end)]
    }

    /// Calls `body` with each (key node, value node) of an object, in document order.
    package func forEachMember(of object: Int, _ body: (_ key: Int, _ value: Int) throws -> Void) rethrows {
        precondition(nodes[object].kind == .object)
        let end = Int(nodes[object].next)
        var key = object + 1
        while key < end {
            let value = key + 1
            try body(key, value)
            key = Int(nodes[value].next)
        }
    }

    /// The value of the first member named `name`, if the object has one.
    package func member(of object: Int, named name: String) -> Int? {
        var found: Int?
        forEachMember(of: object) { key, value in
            if found == nil && keyEquals(key, name) { found = value }
        }
        return found
    }

    /// The nodes of an array's elements.
    package func elements(of array: Int) -> [Int] {
        precondition(nodes[array].kind == .array)
        var result: [Int] = []
        let end = Int(nodes[array].next)
        var element = array + 1
        while element < end {
            result.append(element)
            element = Int(nodes[element].next)
        }
        return result
    }

    /// Whether a string node's decoded value equals `name` byte for byte (never `String` equality, which is
    /// canonical equivalence), without allocating when it has no escapes.
    package func keyEquals(_ node: Int, _ name: String) -> Bool {
        let item = nodes[node]
        guard item.kind == .string else { return false }
        if item.flagged { return stringBytes(node) == Array(name.utf8) }
        let length = Int(item.end - item.start) - 2
        var name = name
        return name.withUTF8 { utf8 in
            utf8.count == length
                && text.withUnsafeBufferPointer { memcmp($0.baseAddress! + Int(item.start) + 1, utf8.baseAddress!, length) == 0 }
        }
    }

    /// A string node's decoded value; nil for other kinds.
    package func string(_ node: Int) -> String? {
        let item = nodes[node]
        guard item.kind == .string else { return nil }
        let content = text[Int(item.start) + 1..<Int(item.end) - 1]
        guard item.flagged else { return String(decoding: content, as: UTF8.self) }
        return JSONEscapes.decode(content)
    }

    /// An integer number node's value; nil for other kinds, fractions, exponents and values past Int64.
    package func integer(_ node: Int) -> Int64? {
        let item = nodes[node]
        guard item.kind == .number, !item.flagged else { return nil }
        var value: Int64 = 0
        var negative = false
        for byte in text[Int(item.start)..<Int(item.end)] {
            if byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}
