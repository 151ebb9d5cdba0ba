import CLibdeflate

/// Inflates one whole gzip member (RFC 1952) at a time with libdeflate: the fast path of `GzipFileReader`.
/// The one place that reads through libdeflate; the buffers it fills are the reader's.
///
/// libdeflate needs the whole member in memory and room for all of its output; in return it inflates and
/// checks the CRC-32 (with the CPU's carry-less multiply) two to three times faster than zlib, whose CRC alone
/// was 9% of `report`'s time. It reports no detail about damage, so it never judges a member: whatever it
/// cannot take whole (cut short by the buffer, larger than the output, or damaged) is left to zlib's
/// streaming path, which reads it and says exactly what is wrong and where, as before. Instances are not
/// thread-safe; give each thread its own.
package final class WholeMemberInflater {
    private let decompressor: OpaquePointer

    /// nil when libdeflate cannot allocate its tables (out of memory): readers then stream through zlib.
    package init?() {
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        self.decompressor = decompressor
    }

    deinit { libdeflate_free_decompressor(decompressor) }

    /// Inflates the member at the start of `input` into `output`, its CRC-32 and length checked: the bytes of
    /// input it took and of output it wrote; nil when it cannot be taken whole here.
    package func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> (consumed: Int, produced: Int)? {
        // libdeflate skips a header CRC (FHCRC) without checking it; zlib checks it, so such a member is zlib's.
        guard let source = input.baseAddress, let target = output.baseAddress, input.count > 3, input[3] & 0x02 == 0 else { return nil }
        var consumed = 0
        var produced = 0
        let result = libdeflate_gzip_decompress_ex(decompressor, source, input.count, target, output.count, &consumed, &produced)
        return result == LIBDEFLATE_SUCCESS ? (consumed, produced) : nil
    }
}
