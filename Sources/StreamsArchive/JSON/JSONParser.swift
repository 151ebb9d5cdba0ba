import Glibc

/// The recursive-descent core of `JSONScanner`, over raw pointers for speed.
///
/// Node ranges refer to the output when minifying and to the input otherwise.
struct JSONParser {
    private let input: UnsafePointer<UInt8>
    private let count: Int
    private let output: UnsafeMutablePointer<UInt8>?
    private let maxDepth: Int
    private var index = 0
    private(set) var written = 0
    var nodes: [JSONNode] = []
    /// The keys of the objects still open, when the caller asked for the repeated-key filter (`keys`).
    private let keys: UnsafeMutableBufferPointer<Key>?
    private var keyCount = 0
    /// False proves that no object repeats a key; see `JSONScanner.scanCheckingKeys(_:nodes:)`.
    private(set) var mayRepeatKeys = false

    /// A key of an open object: its signature, and where its content is in the input.
    struct Key {
        var signature: UInt64
        var start: Int32
        var length: Int32
    }

    /// - Parameter input: at least one byte; `JSONScanner` refuses empty input before it gets here.
    /// - Parameter keys: room for the keys of the objects open at once, to filter for repeated keys; nil for none.
    init(input: UnsafeRawBufferPointer, output: UnsafeMutablePointer<UInt8>?, maxDepth: Int, keys: UnsafeMutableBufferPointer<Key>? = nil) {
        self.input = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        self.count = input.count
        self.output = output
        self.maxDepth = maxDepth
        self.keys = keys
    }

    /// Parses the input with `nodes`' storage for its tape (kept for the next line), leaving the tape in `nodes`.
    mutating func parse(into nodes: inout [JSONNode]) throws(JSONSyntaxError) {
        swap(&self.nodes, &nodes)
        self.nodes.removeAll(keepingCapacity: true)
        defer { swap(&self.nodes, &nodes) }
        try parseDocument()
    }

    mutating func parseDocument() throws(JSONSyntaxError) {
        skipWhitespace()
        try parseValue(depth: 1)
        skipWhitespace()
        if index < count { throw fail("unexpected data after the JSON value") }
    }

    // MARK: - Values

    private var position: Int32 { Int32(output == nil ? index : written) }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) {
        guard index < count else { throw fail("unexpected end of input, expected a value") }
        switch input[index] {
        case UInt8(ascii: "{"): try parseObject(depth: depth)
        case UInt8(ascii: "["): try parseArray(depth: depth)
        case UInt8(ascii: "\""): try parseString()
        case UInt8(ascii: "t"): try parseLiteral("true", kind: .bool)
        case UInt8(ascii: "f"): try parseLiteral("false", kind: .bool)
        case UInt8(ascii: "n"): try parseLiteral("null", kind: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        default: throw fail("unexpected character \(describe(input[index])), expected a value")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) {
        guard depth <= maxDepth else { throw fail("nesting deeper than \(maxDepth) levels") }
        let node = open(.object)
        index += 1
        skipWhitespace()
        if index < count && input[index] == UInt8(ascii: "}") {
            return close(node)
        }
        let firstKey = keyCount
        var filter = KeyFilter()
        defer { keyCount = firstKey }
        while true {
            guard index < count && input[index] == UInt8(ascii: "\"") else {
                throw fail(index < count ? "expected a string key, found \(describe(input[index]))" : "unexpected end of input in an object")
            }
            let keyStart = index
            try parseString()
            if keys != nil && !mayRepeatKeys { noteKey(from: keyStart + 1, to: index - 1, escaped: nodes[nodes.count - 1].flagged, since: firstKey, filter: &filter) }
            skipWhitespace()
            guard index < count && input[index] == UInt8(ascii: ":") else { throw fail("expected ':' after an object key") }
            emit(UInt8(ascii: ":"))
            index += 1
            skipWhitespace()
            try parseValue(depth: depth + 1)
            skipWhitespace()
            guard index < count else { throw fail("unexpected end of input in an object") }
            if input[index] == UInt8(ascii: ",") {
                emit(UInt8(ascii: ","))
                index += 1
                skipWhitespace()
            } else if input[index] == UInt8(ascii: "}") {
                return close(node)
            } else {
                throw fail("expected ',' or '}' in an object, found \(describe(input[index]))")
            }
        }
    }

    /// Compares the key at `start..<end` of the input with the earlier keys of its object (those from `since`):
    /// only when the object's `filter` says it may repeat one, then by signature and bytes. A key with escapes,
    /// or one past the room in `keys`, makes the answer "may repeat" at once.
    private mutating func noteKey(from start: Int, to end: Int, escaped: Bool, since first: Int, filter: inout KeyFilter) {
        guard let keys, !escaped, keyCount < keys.count else { return mayRepeatKeys = true }
        let length = end - start
        let signature = KeyFilter.signature(UnsafeRawPointer(input), from: start, to: end)
        if filter.insert(signature) {
            for earlier in keys[first..<keyCount]
            where earlier.signature == signature && Int(earlier.length) == length && memcmp(input + Int(earlier.start), input + start, length) == 0 {
                return mayRepeatKeys = true
            }
        }
        keys[keyCount] = Key(signature: signature, start: Int32(start), length: Int32(length))
        keyCount += 1
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) {
        guard depth <= maxDepth else { throw fail("nesting deeper than \(maxDepth) levels") }
        let node = open(.array)
        index += 1
        skipWhitespace()
        if index < count && input[index] == UInt8(ascii: "]") {
            return close(node)
        }
        while true {
            try parseValue(depth: depth + 1)
            skipWhitespace()
            guard index < count else { throw fail("unexpected end of input in an array") }
            if input[index] == UInt8(ascii: ",") {
                emit(UInt8(ascii: ","))
                index += 1
                skipWhitespace()
            } else if input[index] == UInt8(ascii: "]") {
                return close(node)
            } else {
                throw fail("expected ',' or ']' in an array, found \(describe(input[index]))")
            }
        }
    }

    /// Starts a container node and writes its opening bracket.
    private mutating func open(_ kind: JSONKind) -> Int {
        nodes.append(JSONNode(kind: kind, flagged: false, start: position, end: 0, next: 0))
        emit(input[index])
        return nodes.count - 1
    }

    /// Writes the closing bracket and completes the container node.
    private mutating func close(_ node: Int) {
        emit(input[index])
        index += 1
        nodes[node].end = position
        nodes[node].next = Int32(nodes.count)
    }

    private mutating func parseLiteral(_ word: StaticString, kind: JSONKind) throws(JSONSyntaxError) {
        let length = word.utf8CodeUnitCount
        guard index + length <= count,
            memcmp(input + index, word.utf8Start, length) == 0
        else { throw fail("invalid literal, expected \(word)") }
        let start = position
        copy(from: index, count: length)
        index += length
        append(kind, flagged: false, start: start)
    }

    private mutating func parseNumber() throws(JSONSyntaxError) {
        let first = index
        let start = position
        var fractional = false
        if input[index] == UInt8(ascii: "-") { index += 1 }
        guard index < count, isDigit(input[index]) else { throw fail("a number needs a digit after '-'") }
        if input[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < count && isDigit(input[index]) { index += 1 }
        }
        if index < count && input[index] == UInt8(ascii: ".") {
            fractional = true
            index += 1
            guard index < count, isDigit(input[index]) else { throw fail("a number needs a digit after '.'") }
            while index < count && isDigit(input[index]) { index += 1 }
        }
        if index < count && (input[index] == UInt8(ascii: "e") || input[index] == UInt8(ascii: "E")) {
            fractional = true
            index += 1
            if index < count && (input[index] == UInt8(ascii: "+") || input[index] == UInt8(ascii: "-")) { index += 1 }
            guard index < count, isDigit(input[index]) else { throw fail("a number needs a digit in its exponent") }
            while index < count && isDigit(input[index]) { index += 1 }
        }
        copy(from: first, count: index - first)
        append(.number, flagged: fractional, start: start)
    }

    // MARK: - Strings

    private mutating func parseString() throws(JSONSyntaxError) {
        let first = index
        let start = position
        var escaped = false
        index += 1
        while true {
            // Eight bytes at a time to the first that needs a look (see `lookMask`); byte by byte near the end.
            var mask: UInt64 = 0
            while index + 8 <= count {
                mask = Self.lookMask(UInt64(littleEndian: UnsafeRawPointer(input + index).loadUnaligned(as: UInt64.self)))
                if mask != 0 { break }
                index += 8
            }
            if mask != 0 {
                index += mask.trailingZeroBitCount >> 3
            } else {
                while index < count {
                    let byte = input[index]
                    if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte >= 0x80 { break }
                    index += 1
                }
            }
            guard index < count else { throw fail("unterminated string", at: first) }
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                break
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
                try parseEscape()
            } else if byte >= 0x80 {
                try parseMultibyte(lead: byte)
            } else {
                throw fail("control character \(describe(byte)) inside a string; it must be escaped")
            }
        }
        copy(from: first, count: index - first)
        append(.string, flagged: escaped, start: start)
    }

    /// The high bit of each byte of `word` (little-endian) that is a quote, a backslash, a control character
    /// or not ASCII: the bytes a string's content cannot simply be crossed at. Zero exactly when there is none,
    /// and its lowest set bit marks the first such byte exactly (the "has a byte less than n" and "has a zero
    /// byte" word tricks: a borrow can flag bytes only above the first true one).
    private static func lookMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func zeroBytes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        let control = (word &- 0x2020_2020_2020_2020) & ~word & highs
        return control | word & highs | zeroBytes(word ^ 0x2222_2222_2222_2222) | zeroBytes(word ^ 0x5C5C_5C5C_5C5C_5C5C)
    }

    private mutating func parseEscape() throws(JSONSyntaxError) {
        guard index + 1 < count else { throw fail("unterminated escape") }
        switch input[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 2
        case UInt8(ascii: "u"):
            let unit = try hexUnit(at: index + 2)
            index += 6
            if (0xDC00...0xDFFF).contains(unit) {
                throw fail("unpaired low surrogate \\u\(String(unit, radix: 16)) in a string", at: index - 6)
            }
            if (0xD800...0xDBFF).contains(unit) {
                let paired = index + 1 < count && input[index] == UInt8(ascii: "\\") && input[index + 1] == UInt8(ascii: "u")
                let next = paired ? try hexUnit(at: index + 2) : 0
                guard (0xDC00...0xDFFF).contains(next) else {
                    throw fail("unpaired high surrogate \\u\(String(unit, radix: 16)) in a string", at: index - 6)
                }
                index += 6
            }
        default:
            throw fail("invalid escape \\\(describe(input[index + 1]))")
        }
    }

    private func hexUnit(at position: Int) throws(JSONSyntaxError) -> UInt16 {
        guard position + 4 <= count else { throw fail("incomplete \\u escape", at: position) }
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = input[position + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid hex digit in \\u escape", at: position + offset)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// Checks one UTF-8 sequence: no overlong forms, no encoded surrogates, nothing past U+10FFFF.
    private mutating func parseMultibyte(lead: UInt8) throws(JSONSyntaxError) {
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw fail("invalid UTF-8 byte 0x\(String(lead, radix: 16))")
        }
        guard index + length <= count else { throw fail("truncated UTF-8 sequence") }
        let second = input[index + 1]
        guard second >= low && second <= high else { throw fail("invalid UTF-8 sequence") }
        for offset in 2..<length where input[index + offset] & 0xC0 != 0x80 {
            throw fail("invalid UTF-8 sequence")
        }
        index += length
    }

    // MARK: - Output

    private mutating func append(_ kind: JSONKind, flagged: Bool, start: Int32) {
        nodes.append(JSONNode(kind: kind, flagged: flagged, start: start, end: position, next: Int32(nodes.count + 1)))
    }

    private mutating func emit(_ byte: UInt8) {
        guard let output else { return }
        output[written] = byte
        written += 1
    }

    private mutating func copy(from first: Int, count length: Int) {
        guard let output else { return }
        (output + written).update(from: input + first, count: length)
        written += length
    }

    private mutating func skipWhitespace() {
        while index < count {
            switch input[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private func fail(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset ?? index, message: message)
    }

    private func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "0x\(String(byte, radix: 16))"
    }
}
