/// A strict, single-pass JSON validator that records a tape of value ranges and can minify on the way.
///
/// It accepts exactly RFC 8259 JSON in UTF-8: no trailing commas, no comments, no leading zeros, no raw
/// control characters or invalid UTF-8 or unpaired surrogate escapes in strings, nothing after the value.
/// Values are never re-encoded: strings and numbers keep the bytes the sender wrote, and minifying drops only
/// whitespace outside strings. Nesting deeper than `maxDepth` is refused, so hostile input cannot exhaust the stack.
package struct JSONScanner: Sendable {
    package static let defaultMaxDepth = 64
    package let maxDepth: Int

    package init(maxDepth: Int = JSONScanner.defaultMaxDepth) {
        self.maxDepth = maxDepth
    }

    /// Validates `input`, minifies it, and returns the minified text with its tape.
    package func document(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONDocument {
        try withBytes(bytes) { (raw) throws(JSONSyntaxError) in try document(raw) }
    }

    /// A leading UTF-8 byte-order mark is skipped, as JSONSerialization skips it.
    package func document(_ input: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONDocument {
        let input = input.starts(with: [0xEF, 0xBB, 0xBF]) ? UnsafeRawBufferPointer(rebasing: input[3...]) : input
        try Self.checkSize(input)
        var nodes: [JSONNode] = []
        var failure: JSONSyntaxError?
        let text = [UInt8](unsafeUninitializedCapacity: max(input.count, 1)) { buffer, initialized in
            var parser = JSONParser(input: input, output: buffer.baseAddress, maxDepth: maxDepth)
            do throws(JSONSyntaxError) {
                try parser.parseDocument()
                nodes = parser.nodes
                initialized = parser.written
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return JSONDocument(text: text, nodes: nodes)
    }

    /// Validates `input` in place, filling `nodes` with ranges into `input` itself (no copy).
    package func scan(_ input: UnsafeRawBufferPointer, nodes: inout [JSONNode]) throws(JSONSyntaxError) {
        try Self.checkSize(input)
        var parser = JSONParser(input: input, output: nil, maxDepth: maxDepth)
        try parser.parse(into: &nodes)
    }

    /// `scan(_:nodes:)`, comparing each key with the earlier keys of its object on the way: returns false when
    /// that proves no object repeats a key, true when one may (a key repeated byte for byte, a key with escapes,
    /// which can spell an earlier key differently, or more than `trackedKeys` keys open at once), for the caller
    /// to settle with `JSONDocument.firstRepeatedKey(within:)`. The proof costs a few comparisons per key;
    /// the walk over the tape it saves is about a tenth of checking a stored line.
    package func scanCheckingKeys(_ input: UnsafeRawBufferPointer, nodes: inout [JSONNode]) throws(JSONSyntaxError) -> Bool {
        try Self.checkSize(input)
        return try withUnsafeTemporaryAllocation(of: JSONParser.Key.self, capacity: Self.trackedKeys) { (keys) throws(JSONSyntaxError) in
            var parser = JSONParser(input: input, output: nil, maxDepth: maxDepth, keys: keys)
            try parser.parse(into: &nodes)
            return parser.mayRepeatKeys
        }
    }

    /// Keys of the objects open at once that `scanCheckingKeys` compares (an event has about 20).
    static let trackedKeys = 64

    private static func checkSize(_ input: UnsafeRawBufferPointer) throws(JSONSyntaxError) {
        guard !input.isEmpty else { throw JSONSyntaxError(offset: 0, message: "empty input, expected a value") }
        guard input.count < Int(Int32.max) else { throw JSONSyntaxError(offset: 0, message: "document larger than 2 GiB") }
    }
}
