/// A 128-bit keyed hash of a byte string (SipHash-1-3 with 128-bit output, keyed at random per process),
/// used where the batch side and the receiver need to recognise a uuid or a uid again without storing it.
///
/// Two different strings share a fingerprint with probability 2^-128 per pair: for a million uuids in one
/// partition, about 1 in 10^27, far below the rate of undetected disk errors; the random key keeps anyone
/// from crafting collisions. Bytes are hashed as they are, so strings that differ only in Unicode
/// normalization stay different, as they are to MoEngage.
package struct Fingerprint: Hashable, Sendable {
    package let high: UInt64
    package let low: UInt64

    private static let key = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max))

    package init(_ bytes: UnsafeRawBufferPointer) {
        var state = SipState(key: Self.key)
        let count = bytes.count
        var offset = 0
        while offset + 8 <= count {
            state.compress(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        var last = UInt64(truncatingIfNeeded: count) << 56
        for index in 0..<(count - offset) { last |= UInt64(bytes[offset + index]) << (8 * index) }
        state.compress(last)
        (high, low) = state.finalize()
    }

    package init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    package init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { Fingerprint($0) }
    }

    /// Compared on the batch side's and the dedup index's hot paths in other modules: inlinable, so that
    /// `package` access costs no call per comparison.
    @inlinable
    package static func == (lhs: Fingerprint, rhs: Fingerprint) -> Bool { lhs.high == rhs.high && lhs.low == rhs.low }

    /// The all-zero fingerprint, which the open-addressed tables (`FingerprintSet`, `FirstCopyIndex`) use to
    /// mark an empty slot; compared word by word, inlinable for their hot loops.
    @inlinable
    package var isZero: Bool { high | low == 0 }

    /// One word is enough to place a fingerprint in a hash table: its bits are already uniformly mixed.
    @inlinable
    package func hash(into hasher: inout Hasher) {
        hasher.combine(low)
    }
}

/// SipHash's four words of state, with one compression round and three finalization rounds (SipHash-1-3).
private struct SipState {
    var v0: UInt64, v1: UInt64, v2: UInt64, v3: UInt64

    init(key: (UInt64, UInt64)) {
        v0 = 0x736f_6d65_7073_6575 ^ key.0
        v1 = 0x646f_7261_6e64_6f6d ^ key.1 ^ 0xee
        v2 = 0x6c79_6765_6e65_7261 ^ key.0
        v3 = 0x7465_6462_7974_6573 ^ key.1
    }

    mutating func round() {
        v0 &+= v1; v1 = v1.rotated(13); v1 ^= v0; v0 = v0.rotated(32)
        v2 &+= v3; v3 = v3.rotated(16); v3 ^= v2
        v0 &+= v3; v3 = v3.rotated(21); v3 ^= v0
        v2 &+= v1; v1 = v1.rotated(17); v1 ^= v2; v2 = v2.rotated(32)
    }

    mutating func compress(_ word: UInt64) {
        v3 ^= word
        round()
        v0 ^= word
    }

    mutating func finalize() -> (UInt64, UInt64) {
        v2 ^= 0xee
        round(); round(); round()
        let first = v0 ^ v1 ^ v2 ^ v3
        v1 ^= 0xdd
        round(); round(); round()
        return (first, v0 ^ v1 ^ v2 ^ v3)
    }
}

extension UInt64 {
    fileprivate func rotated(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}
