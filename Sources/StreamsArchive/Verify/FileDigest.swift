import Crypto

/// SHA-256 (swift-crypto) as the archive writes it: lower-case hex, what `sha256sum` prints and what every
/// manifest and shipping record holds.
package enum FileDigest {
    /// Size and SHA-256 of a file, read in 1 MiB pieces (never whole in memory).
    package static func sha256(ofFile path: String) throws(StorageError) -> (bytes: Int64, sha256: SHA256.Digest) {
        let file = try POSIXFile.openForReading(path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var hash = SHA256()
        var total: Int64 = 0
        while true {
            let count = try file.read(into: buffer)
            guard count > 0 else { break }
            hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            total += Int64(count)
        }
        return (total, hash.finalize())
    }
}

extension SHA256.Digest {
    /// Lower-case hex, as `sha256sum` prints it.
    package var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension FileDigest {
    /// SHA-256 of bytes in memory.
    package static func sha256(of bytes: [UInt8]) -> SHA256.Digest { SHA256.hash(data: bytes) }
}
