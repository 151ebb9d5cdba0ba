/// Compresses bytes into complete gzip members (RFC 1952) at a chosen level.
///
/// A member written in one piece is what makes an append durable and atomic to readers: a file of
/// complete members is a valid gzip file, and a crash can only ever tear the last member.
package final class GzipMemberEncoder {
    package let level: Int32
    private let stream: ZlibStream

    /// - Parameter level: zlib level, 1 (fastest) to 9 (smallest).
    package init(level: Int32) throws(GzipSetupError) {
        guard (1...9).contains(level) else { throw GzipSetupError.invalidLevel(level) }
        do {
            stream = try ZlibStream(.deflate(level: level))
        } catch {
            throw GzipSetupError.zlib(error.message)
        }
        self.level = level
    }

    /// Appends one complete member holding `bytes` to `output`. On a zlib failure `output` is as it was.
    package func appendMember(of bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) throws(CodecError) {
        let before = output.count
        do { try stream.deflate(bytes, finish: true, into: &output) } catch {
            output.removeSubrange(before...)
            throw error
        }
    }

    /// One complete member holding `bytes`.
    package func member(of bytes: [UInt8]) throws(CodecError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 4 + 64)
        try withBytes(bytes) { (raw) throws(CodecError) in try appendMember(of: raw, to: &output) }
        return output
    }

    /// Streams `bytes` into the member being built; `finish` closes it. What zlib emits is appended to `output`.
    /// A zlib failure abandons the member: what was appended for it must not be used.
    package func stream(_ bytes: UnsafeRawBufferPointer, finish: Bool, into output: inout [UInt8]) throws(CodecError) {
        try stream.deflate(bytes, finish: finish, into: &output)
    }
}

/// A codec that cannot be set up; a programming or installation error rather than bad data.
package enum GzipSetupError: Error, Sendable, CustomStringConvertible {
    case invalidLevel(Int32)
    case zlib(String)
    /// libdeflate could not allocate a compressor (out of memory).
    case libdeflate(level: Int32)

    package var description: String {
        switch self {
        case .invalidLevel(let level): "gzip level \(level) is out of range; use 1 (fastest) to 9 (smallest)"
        case .zlib(let message): "zlib could not start: \(message)"
        case .libdeflate(let level): "libdeflate could not allocate a level-\(level) compressor (out of memory)"
        }
    }
}
