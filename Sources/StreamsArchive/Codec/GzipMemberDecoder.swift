/// Inflates a stream of concatenated gzip members chunk by chunk, noting where each member ends.
///
/// Shared by the file reader and the request-body decoder: after a member's trailer it resets for the next
/// member (as zcat does), bytes that are not gzip raise `CodecError.corrupt`, and `insideMember` tells a
/// caller at end of input that the last member was cut short.
final class GzipMemberDecoder {
    private let stream: ZlibStream
    private let output: UnsafeMutableRawBufferPointer
    /// A member has started and its trailer has not been read yet.
    private(set) var insideMember = false

    init() throws(CodecError) {
        stream = try ZlibStream(.inflate)
        output = .allocate(byteCount: 256 * 1024, alignment: 16)
    }

    deinit { output.deallocate() }

    /// Inflates all of `chunk`. `onOutput` sees the inflated bytes in order; `onMemberEnd` gets the offset in
    /// `chunk` just past each member's checked trailer. Throws `CodecError` on damage, or what `onOutput` throws.
    /// Whatever inflated cleanly before damage is passed on first: for a member whose CRC fails that is all of
    /// its data, whatever the buffer sizes, so what a reader counts does not depend on where chunks fall.
    func decode(
        _ chunk: UnsafeRawBufferPointer, onOutput: (UnsafeRawBufferPointer) throws -> Void, onMemberEnd: (Int) -> Void
    ) throws {
        var offset = 0
        while offset < chunk.count {
            let step = stream.inflate(UnsafeRawBufferPointer(rebasing: chunk[offset...]), into: output)
            insideMember = true
            offset += step.consumed
            if step.produced > 0 { try onOutput(UnsafeRawBufferPointer(rebasing: output[0..<step.produced])) }
            if let failure = step.failure { throw failure }
            if step.memberEnded {
                insideMember = false
                try stream.reset()
                onMemberEnd(offset)
            } else if step.consumed == 0 && step.produced == 0 {
                throw CodecError.corrupt("inflate made no progress")
            }
        }
    }
}
