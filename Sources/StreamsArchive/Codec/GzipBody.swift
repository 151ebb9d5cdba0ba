/// Decompresses a `Content-Encoding: gzip` request body in memory, refusing to grow past a limit.
public enum GzipBody {
    public enum Failure: Error, Sendable, Equatable {
        /// The decompressed body would exceed the limit (a gzip bomb, or just too large).
        case tooLarge(limit: Int)
        /// Not valid gzip, or cut short.
        case corrupt(String)
    }

    /// The decompressed bytes of one or more gzip members, at most `limit` of them.
    public static func decompress(_ input: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        try withBytes(input) { (raw) throws(Failure) in try decompress(raw, limit: limit) }
    }

    public static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(Failure) -> [UInt8] {
        let stream: ZlibStream
        do { stream = try ZlibStream(.inflate) } catch { throw .corrupt(error.message) }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { scratch.deallocate() }
        var output: [UInt8] = []
        var offset = 0
        var insideMember = false
        while offset < input.count {
            let step: ZlibStream.InflateStep
            do {
                step = try stream.inflate(UnsafeRawBufferPointer(rebasing: input[offset...]), into: scratch)
            } catch {
                throw .corrupt(error.message)
            }
            insideMember = true
            offset += step.consumed
            guard output.count + step.produced <= limit else { throw .tooLarge(limit: limit) }
            output.append(contentsOf: scratch[0..<step.produced])
            if step.memberEnded {
                insideMember = false
                stream.reset()
            } else if step.consumed == 0 && step.produced == 0 {
                throw .corrupt("inflate made no progress")
            }
        }
        guard !insideMember else { throw .corrupt("the gzip body ends inside a member") }
        guard !input.isEmpty else { throw .corrupt("empty gzip body") }
        return output
    }
}
