/// What zlib itself reported; `GzipReadError` adds the file and offset a person needs.
package enum CodecError: Error, Sendable, CustomStringConvertible {
    case zlibInit(status: Int32)
    case corrupt(String)
    /// `deflate` failed: zlib's state is broken (a bug or memory corruption, never the data); the member
    /// being written is abandoned.
    case deflate(status: Int32, message: String)
    case reset(status: Int32)

    package var message: String {
        switch self {
        case .zlibInit(let status): "zlib could not start (status \(status))"
        case .corrupt(let reason): reason
        case .deflate(let status, let message): "zlib's deflate failed (status \(status): \(message)); the member was not written"
        case .reset(let status): "zlib could not reset its stream (status \(status))"
        }
    }

    package var description: String { message }
}
