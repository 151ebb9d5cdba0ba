/// The kind of a JSON value.
public enum JSONKind: UInt8, Sendable {
    case object, array, string, number, bool, null

    public var name: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

/// One value on a scanned document's tape: its kind, its byte range in the document text, and the index
/// of the node after its subtree (so a reader can skip a whole object in one step).
///
/// An object's children are key, value, key, value, …; an array's are its elements.
public struct JSONNode: Sendable {
    public internal(set) var kind: JSONKind
    /// For a string: it contains escapes. For a number: it has a fraction or exponent.
    public internal(set) var flagged: Bool
    public internal(set) var start: Int32
    public internal(set) var end: Int32
    public internal(set) var next: Int32
}
