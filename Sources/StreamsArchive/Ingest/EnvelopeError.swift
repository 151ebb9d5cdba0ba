/// A request body that is not a Streams envelope; the whole batch is refused with this message.
public enum EnvelopeError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidJSON(JSONSyntaxError)
    case notAnObject(JSONKind)
    case missingEvents
    case eventsNotAnArray(JSONKind)
    case wrongType(field: String, expected: JSONKind, found: JSONKind)
    /// Readers disagree on which of two repeated keys counts (the first, the last): such an envelope is refused.
    case repeatedKey(String)

    public var description: String {
        switch self {
        case .invalidJSON(let error):
            "body is not valid JSON: \(error)"
        case .notAnObject(let kind):
            "body is \(kind.name); a Streams request is an object with an \"events\" array"
        case .missingEvents:
            "body has no \"events\" array; a Streams request is {\"app_name\", \"moe_request_id\", \"events\": [...]}"
        case .eventsNotAnArray(let kind):
            "\"events\" is \(kind.name); it must be an array of event objects"
        case .wrongType(let field, let expected, let found):
            "\"\(field)\" must be \(expected.name), found \(found.name)"
        case .repeatedKey(let key):
            "the envelope has key \"\(key)\" more than once; send each key once"
        }
    }
}
