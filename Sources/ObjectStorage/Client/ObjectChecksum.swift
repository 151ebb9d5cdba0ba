import Crypto
import Foundation

/// A SHA-256 as S3 carries it: base64 of the 32 bytes (`x-amz-checksum-sha256`), and for a multipart object the
/// composite form `base64(SHA-256(part digests concatenated))-N` that S3 reports for the whole object.
package struct ObjectChecksum: Sendable, Equatable, CustomStringConvertible {
    /// `x-amz-checksum-sha256` as sent or returned.
    package let value: String

    package init(value: String) { self.value = value }

    /// The checksum of a whole object (or one part) from its digest.
    package init(digest: some Sequence<UInt8>) { value = Data(digest).base64EncodedString() }

    /// The checksum of a whole object from its lower-case hex SHA-256 (as manifests hold it); nil if not hex.
    package init?(hex: String) {
        let bytes = Array(hex.utf8)
        guard bytes.count == 64 else { return nil }
        var out: [UInt8] = []
        for index in stride(from: 0, to: 64, by: 2) {
            guard let byte = UInt8(String(decoding: bytes[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
        }
        self.init(digest: out)
    }

    /// The composite checksum S3 reports for an object uploaded in these parts (each part's digest, in order).
    package static func composite(parts: [ObjectChecksum]) -> ObjectChecksum {
        var hash = SHA256()
        for part in parts { hash.update(data: Data(base64Encoded: part.value) ?? Data()) }
        return ObjectChecksum(value: Data(hash.finalize()).base64EncodedString() + "-\(parts.count)")
    }

    /// The hex form of a whole-object checksum (nil for a composite one).
    package var hex: String? {
        guard !value.contains("-"), let data = Data(base64Encoded: value), data.count == 32 else { return nil }
        return SigV4Signer.hex(data)
    }

    package var description: String { value }
}
