import ArgumentParser

/// A size on the command line: bytes, or with a K, M or G suffix (powers of 1024): `512M`, `8M`, `1G`.
struct ByteSize: ExpressibleByArgument, Sendable, Equatable {
    let bytes: Int64

    init(bytes: Int64) { self.bytes = bytes }

    init?(argument: String) {
        let text = argument.uppercased()
        let shifts: [Character: Int64] = ["K": 10, "M": 20, "G": 30]
        let (digits, shift) = text.last.flatMap { shifts[$0] }.map { (text.dropLast(), $0) } ?? (Substring(text), 0)
        guard let value = Int64(digits), value > 0, value <= Int64.max >> shift else { return nil }
        bytes = value << shift
    }

    var defaultValueDescription: String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20)M" : "\(bytes)"
    }
}
