import CLibdeflate

/// Compresses a whole buffer into one complete gzip member (RFC 1952) with libdeflate: what sealed files are
/// made of. The one place that touches libdeflate; every pointer it needs lives here.
///
/// libdeflate sees the whole input at once, so it chooses matches and block boundaries better and faster than
/// a streaming deflate: at level 6, seal's, its members of sealed lines are 1% smaller than zlib's level 9 and
/// take under a third of its time (`archive-bench sealing`, docs/PERFORMANCE.md). The output is standard gzip,
/// read by zlib, zcat and every other reader. Instances are not thread-safe; give each thread its own.
package final class WholeMemberCompressor {
    package let level: Int32
    private let compressor: OpaquePointer

    /// - Parameter level: libdeflate level, 1 (fastest) to 12 (smallest).
    package init(level: Int32) throws(GzipSetupError) {
        guard (1...12).contains(level) else { throw GzipSetupError.invalidLevel(level) }
        guard let compressor = libdeflate_alloc_compressor(level) else { throw GzipSetupError.libdeflate(level: level) }
        self.compressor = compressor
        self.level = level
    }

    deinit { libdeflate_free_compressor(compressor) }

    /// Appends one complete member holding `bytes` to `output`. It first tries room for a quarter of the input
    /// (JSON lines compress far better), so `output` grows by about what the member needs; only input that
    /// does not compress that well is compressed again into libdeflate's worst-case bound.
    package func appendMember(of bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        if !append(bytes, room: bytes.count / 4 + 4096, to: &output) {
            // The bound is libdeflate's worst case for this compressor, so the member always fits.
            let fitted = append(bytes, room: libdeflate_gzip_compress_bound(compressor, bytes.count), to: &output)
            precondition(fitted, "libdeflate_gzip_compress exceeded its own bound")
        }
    }

    private func append(_ bytes: UnsafeRawBufferPointer, room: Int, to output: inout [UInt8]) -> Bool {
        let before = output.count
        output.append(contentsOf: repeatElement(0, count: room))
        let written = output.withUnsafeMutableBytes { out in
            libdeflate_gzip_compress(compressor, bytes.baseAddress, bytes.count, out.baseAddress! + before, room)
        }
        output.removeSubrange((before + written)...)
        return written > 0
    }
}
