import Glibc
import StreamsArchive

/// One stored line and the byte ranges of the fields a `FieldPlan` asked for, valid only inside a visit.
///
/// The batch side reads lines already checked against `StoredLine` (by seal, or by `DayReader` for a file
/// not yet sealed), so it does not validate them again: it walks the top-level object's members, descends
/// into one nested object, and skips everything else by jumping from quote to quote. That is about three
/// times faster than a full validating scan, which is what lets `report` keep up with zlib on sealed days. A
/// line whose structure is broken (not an object, an unclosed string, unbalanced brackets, trailing bytes)
/// is still caught and reported as damage, up to the last field the plan needs when the scanner stops there
/// (`DayReader`, whose lines seal or the reader itself checked against `StoredLine`).
package struct EventLine {
    package let bytes: UnsafeRawBufferPointer
    let slots: UnsafeMutableBufferPointer<FieldSlot>

    /// A string's decoded bytes or any other value's JSON text; nil when absent or null.
    package func text(_ slot: Int) -> ByteString? {
        withText(slot) { ByteString(Array($0)) }
    }

    /// `body` with what `text` would return, without copying unless the string has escapes; nil when absent or null.
    package func withText<R>(_ slot: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        let field = slots[slot]
        guard field.isPresent, !field.isNull else { return nil }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[Int(field.start)..<Int(field.end)])
        guard field.isEscapedString else { return try body(raw) }
        return try JSONEscapes.decodeString(Array(raw)).withUnsafeBytes(body)
    }

    /// Whether `text` would return a value: the field is present and not null.
    package func holds(_ slot: Int) -> Bool {
        slots[slot].isPresent && !slots[slot].isNull
    }

    /// The fingerprint of what `text` would return, computed without copying unless the string has escapes.
    package func fingerprint(_ slot: Int) -> Fingerprint? {
        withText(slot, Fingerprint.init)
    }

    /// Whether the field's bytes as written in the line (a string's escapes undecoded) are `bytes`.
    package func isWritten(_ slot: Int, as bytes: [UInt8]) -> Bool {
        let field = slots[slot]
        guard field.isPresent, Int(field.end - field.start) == bytes.count else { return false }
        return bytes.isEmpty || bytes.withUnsafeBytes { memcmp(self.bytes.baseAddress! + Int(field.start), $0.baseAddress!, $0.count) } == 0
    }

    /// Appends the field's bytes as written in the line (a string's escapes undecoded) to `buffer`.
    package func appendWritten(_ slot: Int, to buffer: inout [UInt8]) {
        let field = slots[slot]
        guard field.isPresent else { return }
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[Int(field.start)..<Int(field.end)]))
    }

    /// The field's `text` compared with `other` in byte order: negative, zero or positive.
    package func compare(_ slot: Int, _ other: [UInt8]) -> Int {
        let field = slots[slot]
        guard field.isPresent, !field.isEscapedString else { return (text(slot)?.bytes ?? []).lexicographicallyPrecedes(other) ? -1 : 1 }
        let count = Int(field.end - field.start)
        let common = min(count, other.count)
        let order = common == 0 ? 0 : other.withUnsafeBytes { memcmp(bytes.baseAddress! + Int(field.start), $0.baseAddress!, common) }
        return order != 0 ? Int(order) : count - other.count
    }

    /// Appends the field's `text` to `buffer`.
    package func append(_ slot: Int, to buffer: inout [UInt8]) {
        let field = slots[slot]
        guard field.isPresent, !field.isNull else { return }
        guard !field.isEscapedString else { return buffer.append(contentsOf: text(slot)?.bytes ?? []) }
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[Int(field.start)..<Int(field.end)]))
    }

    /// Whether the field is a string equal to `literal` (no escapes).
    package func equals(_ slot: Int, _ literal: [UInt8]) -> Bool {
        let field = slots[slot]
        guard field.isPresent, field.isString, !field.isEscapedString, Int(field.end - field.start) == literal.count else { return false }
        return literal.withUnsafeBytes { memcmp(bytes.baseAddress! + Int(field.start), $0.baseAddress!, literal.count) } == 0
    }

    /// An integer field's value; nil when absent, not an integer, or past Int64.
    package func integer(_ slot: Int) -> Int64? {
        let field = slots[slot]
        guard field.isPresent, !field.isString, field.end > field.start else { return nil }
        var value: Int64 = 0
        var index = Int(field.start)
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < Int(field.end) else { return nil }
        while index < Int(field.end) {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(digit))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }
}

/// Where a field's value lies in a line: for a string, the content between the quotes.
struct FieldSlot {
    var start: Int32 = 0
    var end: Int32 = -1
    var isString = false
    var isEscapedString = false
    var isNull = false

    var isPresent: Bool { end >= 0 }
    static let absent = FieldSlot()
}
