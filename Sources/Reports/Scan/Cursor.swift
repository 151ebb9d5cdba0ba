/// A position in a line, with the structural steps the scanner needs.
struct Cursor {
    let base: UnsafePointer<UInt8>
    let count: Int
    var offset = 0

    var atEnd: Bool { offset >= count }
    var peek: UInt8 { offset < count ? base[offset] : 0 }

    mutating func skipSpace() {
        while offset < count, base[offset] == 0x20 || base[offset] == 0x09 || base[offset] == 0x0A || base[offset] == 0x0D { offset += 1 }
    }

    /// Walks an object's members at the cursor, calling `member` with each key and the cursor at its value;
    /// stops early, as if the object ended well-formed, once `done` holds after a member.
    mutating func members(until done: () -> Bool = { false }, _ member: (KeyBytes, inout Cursor) -> Bool) -> Bool {
        guard peek == UInt8(ascii: "{") else { return false }
        offset += 1
        skipSpace()
        if peek == UInt8(ascii: "}") {
            offset += 1
            return true
        }
        while true {
            guard peek == UInt8(ascii: "\""), let (start, end, escaped) = string() else { return false }
            skipSpace()
            guard peek == UInt8(ascii: ":") else { return false }
            offset += 1
            skipSpace()
            guard member(KeyBytes(start: base + start, count: end - start, escaped: escaped), &self) else { return false }
            if done() { return true }
            skipSpace()
            switch peek {
            case UInt8(ascii: ","):
                offset += 1
                skipSpace()
            case UInt8(ascii: "}"):
                offset += 1
                return true
            default: return false
            }
        }
    }

    /// Skips the value at the cursor, recording where it lies in `slot` if given.
    mutating func value(into slot: UnsafeMutablePointer<FieldSlot>?) -> Bool {
        let start = offset
        switch peek {
        case UInt8(ascii: "\""):
            guard let (contentStart, contentEnd, escaped) = string() else { return false }
            slot?.pointee = FieldSlot(start: Int32(contentStart), end: Int32(contentEnd), isString: true, isEscapedString: escaped)
            return true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard container() else { return false }
        default:
            while offset < count, !Self.endsScalar(base[offset]) { offset += 1 }
            guard offset > start, Self.startsScalar(base[start]) else { return false }
        }
        slot?.pointee = FieldSlot(start: Int32(start), end: Int32(offset), isNull: offset - start == 4 && base[start] == UInt8(ascii: "n"))
        return true
    }

    /// Crosses a string at the cursor: returns its content range and whether it holds escapes.
    ///
    /// Eight bytes at a time: a word is tested for a quote or a backslash with the classic "has zero byte"
    /// bit trick, and only a hit is looked at byte by byte.
    private mutating func string() -> (Int, Int, Bool)? {
        let contentStart = offset + 1
        var index = contentStart
        var escaped = false
        while true {
            while index + 8 <= count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                let hits = Self.zeroBytes(word ^ Self.quotes) | Self.zeroBytes(word ^ Self.backslashes)
                if hits != 0 {
                    index += hits.trailingZeroBitCount / 8
                    break
                }
                index += 8
            }
            while index < count && base[index] != UInt8(ascii: "\"") && base[index] != UInt8(ascii: "\\") { index += 1 }
            guard index < count else { return nil }
            if base[index] == UInt8(ascii: "\"") {
                offset = index + 1
                return (contentStart, index, escaped)
            }
            escaped = true
            index += 2
        }
    }

    private static let quotes: UInt64 = 0x2222_2222_2222_2222
    private static let backslashes: UInt64 = 0x5C5C_5C5C_5C5C_5C5C

    /// The high bit of each byte of `word` that is zero (and possibly of bytes above a zero byte, which the
    /// caller never looks past: it takes the lowest hit).
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    }

    /// Crosses an object or array with all it contains, checking that brackets pair up.
    private mutating func container() -> Bool {
        var stack: UInt64 = 0  // one bit per open level: 1 for an object
        var depth = 0
        while offset < count {
            let byte = base[offset]
            switch byte {
            case UInt8(ascii: "\""):
                guard string() != nil else { return false }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < Self.maxDepthBits else { return false }
                stack = stack << 1 | (byte == UInt8(ascii: "{") ? 1 : 0)
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard depth > 0, (stack & 1 == 1) == (byte == UInt8(ascii: "}")) else { return false }
                stack >>= 1
                depth -= 1
                if depth == 0 {
                    offset += 1
                    return true
                }
            default: break
            }
            offset += 1
        }
        return false
    }

    private static let maxDepthBits = 63

    private static func endsScalar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte == 0x20 || byte == 0x09
            || byte == 0x0A || byte == 0x0D
    }

    private static func startsScalar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "t")
            || byte == UInt8(ascii: "f") || byte == UInt8(ascii: "n")
    }
}
