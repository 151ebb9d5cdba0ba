/// Where a batch holds each identity's first copy: fingerprint → entry, in one open-addressed table placed by
/// the fingerprint's own low bits, which are uniformly mixed already (SipHash), so nothing is hashed again.
/// Seal looks up every line of an hour here; this is about twice as cheap as a `Dictionary`.
///
/// The all-zero fingerprint marks an empty slot and is itself kept aside (`zeroEntry`).
struct FirstCopyIndex {
    private var fingerprints: [Fingerprint] = []
    private var entries: [Int] = []
    private var zeroEntry: Int?
    private var count = 0

    /// Bytes the table holds.
    var memory: Int { fingerprints.capacity * MemoryLayout<Fingerprint>.stride + entries.capacity * MemoryLayout<Int>.stride }

    /// The entry recorded for `fingerprint`, if any.
    func entry(for fingerprint: Fingerprint) -> Int? {
        if fingerprint.isZero { return zeroEntry }
        guard !fingerprints.isEmpty else { return nil }
        let slot = find(fingerprint)
        return fingerprints[slot].isZero ? nil : entries[slot]
    }

    /// Records `entry` for `fingerprint`, in place of any entry recorded before.
    mutating func record(_ fingerprint: Fingerprint, entry: Int) {
        if fingerprint.isZero { return zeroEntry = entry }
        if (count + 1) * 2 > fingerprints.count { grow() }
        let slot = find(fingerprint)
        if fingerprints[slot].isZero { count += 1 }
        fingerprints[slot] = fingerprint
        entries[slot] = entry
    }

    /// The slot holding `fingerprint`, or the empty slot where it belongs.
    private func find(_ fingerprint: Fingerprint) -> Int {
        let mask = fingerprints.count - 1
        var slot = Int(truncatingIfNeeded: fingerprint.low) & mask
        while true {
            let held = fingerprints[slot]
            if held.isZero || (held.low == fingerprint.low && held.high == fingerprint.high) { return slot }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let (oldFingerprints, oldEntries) = (fingerprints, entries)
        let size = max(16, oldFingerprints.count * 2)
        fingerprints = Array(repeating: Fingerprint(high: 0, low: 0), count: size)
        entries = Array(repeating: 0, count: size)
        for (slot, fingerprint) in oldFingerprints.enumerated() where !fingerprint.isZero {
            let target = find(fingerprint)
            fingerprints[target] = fingerprint
            entries[target] = oldEntries[slot]
        }
    }
}
