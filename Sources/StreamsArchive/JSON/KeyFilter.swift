/// Which keys of one object need comparing with the earlier ones: the repeated-key checks of the parse
/// (`JSONParser`) and of the tape (`JSONDocument.firstRepeatedKey`) share it.
///
/// A key's signature is its length with its first and last eight bytes (fewer when shorter), so equal keys
/// have equal signatures; the filter keeps one of 128 bits per signature seen, so a key whose bit is not yet
/// set cannot repeat an earlier one, and only the others (about one in ten of an event's dozen keys) are
/// compared, by signature and then bytes.
struct KeyFilter {
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    /// Records `signature`; true when its bit was already set (the key may repeat an earlier one).
    mutating func insert(_ signature: UInt64) -> Bool {
        let bit = (signature &* 0x9E37_79B9_7F4A_7C15) >> 57
        let mask: UInt64 = 1 << (bit & 63)
        if bit < 64 {
            defer { low |= mask }
            return low & mask != 0
        }
        defer { high |= mask }
        return high & mask != 0
    }

    /// The signature of the bytes `start..<end` of `text`.
    static func signature(_ text: UnsafeRawPointer, from start: Int, to end: Int) -> UInt64 {
        let length = end - start
        guard length >= 8 else {
            var packed = UInt64(length)
            for index in start..<end { packed = packed << 8 | UInt64(text.load(fromByteOffset: index, as: UInt8.self)) }
            return packed
        }
        let first = text.loadUnaligned(fromByteOffset: start, as: UInt64.self)
        let last = text.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self)
        return (first &* 0x9E37_79B9_7F4A_7C15) ^ (last &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(length)
    }
}
