import StreamsArchive
import Testing

/// `FingerprintSet`'s union, checked against the standard library's `Set` of the same fingerprints.
@Suite("fingerprint set")
struct FingerprintSetTests {
    /// The fingerprints of `range` of a fixed sequence, and the all-zero one (an empty slot's mark) when `zero`.
    static func members(_ range: Range<UInt64>, zero: Bool = false) -> [Fingerprint] {
        range.map { Fingerprint([UInt8]("member-\($0)".utf8)) } + (zero ? [Fingerprint(high: 0, low: 0)] : [])
    }

    static func set(_ members: [Fingerprint]) -> FingerprintSet {
        var set = FingerprintSet()
        for member in members { set.insert(member) }
        return set
    }

    static func contents(_ set: FingerprintSet) -> Set<Fingerprint> {
        var contents = Set<Fingerprint>()
        set.forEach { contents.insert($0) }
        return contents
    }

    @Test(
        "a union holds every member of both sets once, whichever is larger or empty, with the zero fingerprint on either side",
        arguments: [(0..<1000, 500..<600), (500..<600, 0..<1000), (0..<0, 0..<300), (0..<300, 0..<0), (0..<400, 400..<2000)], [false, true]
    )
    func unionMatchesTheStandardLibrary(_ ranges: (Range<UInt64>, Range<UInt64>), zeroInFirst: Bool) {
        let first = Self.members(ranges.0, zero: zeroInFirst), second = Self.members(ranges.1, zero: !zeroInFirst && !ranges.1.isEmpty)
        var union = Self.set(first)
        union.formUnion(Self.set(second))
        let expected = Set(first).union(second)
        #expect(Self.contents(union) == expected)
        #expect(union.count == expected.count)
    }

    @Test("a union leaves the set it was given unchanged, also when it took that set's table")
    func unionLeavesItsArgumentAlone() {
        let given = Self.set(Self.members(0..<500))
        var empty = FingerprintSet()
        empty.formUnion(given)
        empty.formUnion(Self.set(Self.members(1000..<1100)))
        var smaller = Self.set(Self.members(2000..<2010))
        smaller.formUnion(given)
        smaller.insert(Fingerprint([UInt8]("late".utf8)))
        #expect(Self.contents(given) == Set(Self.members(0..<500)))
        #expect(given.count == 500)
        #expect(empty.count == 600 && smaller.count == 511)
    }
}
