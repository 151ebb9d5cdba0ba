/// Why one event of a batch was not stored in the archive (it is kept under rejected/ instead).
public enum RejectionReason: Error, Sendable, Equatable, CustomStringConvertible {
    case notAnObject(JSONKind)
    case missingField(String)
    case emptyField(String)
    case wrongType(field: String, expected: JSONKind, found: JSONKind)
    case fieldTooLong(field: String, limit: Int)
    case eventTimeNotInteger(raw: String)
    case eventTimeInMilliseconds(Int64)
    case eventTimeOutOfRange(value: Int64, earliest: Int64, latest: Int64)
    case duplicateKey(String)
    case reservedKey(String)

    public var description: String {
        switch self {
        case .notAnObject(let kind):
            "event is \(kind.name), not an object"
        case .missingField(let field):
            "missing \(field)"
        case .emptyField(let field):
            "\(field) is empty"
        case .wrongType(let field, let expected, let found):
            "\(field) must be \(expected.name), found \(found.name)"
        case .fieldTooLong(let field, let limit):
            "\(field) is longer than \(limit) bytes"
        case .eventTimeNotInteger(let raw):
            "event_time must be an integer of epoch seconds, found \(raw)"
        case .eventTimeInMilliseconds(let value):
            "event_time \(value) looks like epoch milliseconds; Streams sends epoch seconds"
        case .eventTimeOutOfRange(let value, let earliest, let latest):
            "event_time \(value) is implausible: outside \(earliest)...\(latest) (2000-01-01 to a day after arrival)"
        case .duplicateKey(let key):
            "key \"\(key)\" appears more than once"
        case .reservedKey(let key):
            "event carries \"\(key)\", which the archive adds itself from the request"
        }
    }
}

/// One rejected event: its place in the batch, the reason, and its bytes exactly as sent (minified).
public struct EventRejection: Sendable {
    public let index: Int
    public let reason: RejectionReason
    public let raw: ArraySlice<UInt8>
}
