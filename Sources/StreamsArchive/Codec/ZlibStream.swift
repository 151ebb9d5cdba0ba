import CZlib

/// The one place that touches zlib's `z_stream`: every unsafe pointer used for compression lives here.
///
/// zlib keeps a back-pointer inside the stream, so the `z_stream` is allocated once and never copied.
/// Instances are not thread-safe; give each thread its own.
final class ZlibStream {
    enum Direction: Sendable {
        case deflate(level: Int32)
        case inflate
    }

    /// What one `inflate` call did.
    struct InflateStep {
        var consumed: Int
        var produced: Int
        /// The member's trailer (CRC-32 and length) was read and checked.
        var memberEnded: Bool
        /// The damage zlib found; `produced` bytes came out cleanly before it (a CRC failure is only seen
        /// after the member's data was inflated).
        var failure: CodecError?
    }

    /// gzip framing: 15 window bits plus 16 asks zlib for a gzip header and trailer.
    private static let gzipWindowBits: Int32 = 15 + 16
    private static let scratchSize = 64 * 1024

    private let stream: UnsafeMutablePointer<z_stream>
    private let direction: Direction
    private let scratch: UnsafeMutablePointer<UInt8>

    init(_ direction: Direction) throws(CodecError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        scratch = .allocate(capacity: Self.scratchSize)
        self.direction = direction
        let status: Int32
        switch direction {
        case .deflate(let level):
            status = czlib_deflateInit2(stream, level, Z_DEFLATED, Self.gzipWindowBits, 8, Z_DEFAULT_STRATEGY)
        case .inflate:
            status = czlib_inflateInit2(stream, Self.gzipWindowBits)
        }
        guard status == Z_OK else {
            stream.deallocate()
            scratch.deallocate()
            throw CodecError.zlibInit(status: status)
        }
    }

    deinit {
        // End frees zlib's state whatever it returns; Z_DATA_ERROR only says a member was abandoned half-way
        // (after an error was thrown), which is no news here.
        switch direction {
        case .deflate: _ = deflateEnd(stream)
        case .inflate: _ = inflateEnd(stream)
        }
        stream.deallocate()
        scratch.deallocate()
    }

    /// Compresses `input` into the current gzip member and appends what zlib emits to `output`.
    /// With `finish`, the member is closed (trailer written) and the stream starts a new member next time.
    ///
    /// Every return code is checked: `Z_OK` and `Z_STREAM_END` go on; `Z_BUF_ERROR` ("no progress possible")
    /// is normal only without `Z_FINISH` (the output buffer was filled exactly and there is nothing left to
    /// do); anything else, or no progress while finishing, throws, after resetting the stream so that the
    /// next member starts clean. Nothing emitted for the failed member should be kept by the caller.
    func deflate(_ input: UnsafeRawBufferPointer, finish: Bool, into output: inout [UInt8]) throws(CodecError) {
        var remaining = input
        repeat {
            let chunk = min(remaining.count, Int(UInt32.max))
            let flush = finish && chunk == remaining.count ? Z_FINISH : Z_NO_FLUSH
            stream.pointee.next_in = UnsafeMutablePointer(mutating: remaining.baseAddress?.assumingMemoryBound(to: UInt8.self))
            stream.pointee.avail_in = UInt32(chunk)
            var status: Int32
            repeat {
                stream.pointee.next_out = scratch
                stream.pointee.avail_out = UInt32(Self.scratchSize)
                let availableIn = stream.pointee.avail_in
                status = CZlib.deflate(stream, flush)
                let produced = Self.scratchSize - Int(stream.pointee.avail_out)
                output.append(contentsOf: UnsafeBufferPointer(start: scratch, count: produced))
                let progressed = produced > 0 || stream.pointee.avail_in != availableIn
                switch status {
                case Z_OK, Z_STREAM_END: break
                case Z_BUF_ERROR where flush != Z_FINISH: break
                default: throw failDeflate(status)
                }
                if flush == Z_FINISH && status != Z_STREAM_END && !progressed { throw failDeflate(status) }
            } while stream.pointee.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END)
            remaining = UnsafeRawBufferPointer(rebasing: remaining[chunk...])
        } while !remaining.isEmpty
        if finish { try reset() }
    }

    /// The error for a failed `deflate` call; the stream is reset (best effort) for the next member.
    private func failDeflate(_ status: Int32) -> CodecError {
        let message = stream.pointee.msg.map { String(cString: $0) } ?? "no message"
        _ = deflateReset(stream)
        return .deflate(status: status, message: message)
    }

    /// Inflates as much of `input` into `output` as fits, stopping at the end of a member. Damage is returned
    /// in the step, with what was inflated before it, rather than thrown.
    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> InflateStep {
        let inCount = min(input.count, Int(UInt32.max))
        let outCount = min(output.count, Int(UInt32.max))
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(inCount)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = UInt32(outCount)
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        var step = InflateStep(
            consumed: inCount - Int(stream.pointee.avail_in),
            produced: outCount - Int(stream.pointee.avail_out),
            memberEnded: status == Z_STREAM_END
        )
        switch status {
        case Z_OK, Z_STREAM_END, Z_BUF_ERROR: break
        default: step.failure = .corrupt(stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)")
        }
        return step
    }

    /// Makes the stream ready for the next member.
    func reset() throws(CodecError) {
        let status: Int32
        switch direction {
        case .deflate: status = deflateReset(stream)
        case .inflate: status = inflateReset(stream)
        }
        guard status == Z_OK else { throw .reset(status: status) }
    }
}
