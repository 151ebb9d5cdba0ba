/// What zlib itself reported; `GzipReadError` adds the file and offset a person needs.
enum CodecError: Error, Sendable {
    case zlibInit(status: Int32)
    case corrupt(String)

    var message: String {
        switch self {
        case .zlibInit(let status): "zlib could not start (status \(status))"
        case .corrupt(let reason): reason
        }
    }
}
