/// Decompresses a `Content-Encoding: gzip` request body in memory, refusing to grow past a limit.
package enum GzipBody {
    package enum Failure: Error, Sendable, Equatable {
        /// The decompressed body would exceed the limit (a gzip bomb, or just too large).
        case tooLarge(limit: Int)
        /// Not valid gzip, or cut short.
        case corrupt(String)
    }

    /// The decompressed bytes of one or more gzip members, at most `limit` of them.
    package static func decompress(_ input: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        try withBytes(input) { (raw) throws(Failure) in try decompress(raw, limit: limit) }
    }

    package static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(Failure) -> [UInt8] {
        guard !input.isEmpty else { throw .corrupt("empty gzip body") }
        var output: [UInt8] = []
        do {
            let decoder = try GzipMemberDecoder()
            try decoder.decode(input, onOutput: { inflated in
                guard output.count + inflated.count <= limit else { throw Failure.tooLarge(limit: limit) }
                output.append(contentsOf: inflated)
            }, onMemberEnd: { _ in })
            guard !decoder.insideMember else { throw Failure.corrupt("the gzip body ends inside a member") }
        } catch let failure as Failure {
            throw failure
        } catch let codec as CodecError {
            throw .corrupt(codec.message)
        } catch {
            throw .corrupt("\(error)")
        }
        return output
    }
}
