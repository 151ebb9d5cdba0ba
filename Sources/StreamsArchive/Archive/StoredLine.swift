/// What counts as an archived line: decided here once, for every reader.
///
/// A stored line is one strict JSON text (RFC 8259, UTF-8, nesting ≤ `JSONScanner.defaultMaxDepth`) whose
/// value is an object with no key repeated at any depth, a string `event_uuid` and an integer `event_time`.
/// The receiver writes only such lines. Seal and verify apply this rule to every line; the batch readers
/// (report, timelines) apply it to every line of a file seal has not checked yet, and trust a sealed file's
/// lines to a structural scan only when its hour's manifest (under `_SUCCESS`) lists it at its present size
/// and records this rule (`line_rule`), so no reader counts a line that seal or verify would refuse. A
/// refused line is damage to report, never an event.
public struct StoredLine: Sendable {
    /// This rule's version, recorded in each seal manifest (`line_rule`): a reader trusts a sealed file only
    /// when the seal that wrote it checked this rule or a later one.
    public static let ruleVersion = 1

    /// A line's identity and time, as every reader takes them.
    public struct Event: Sendable {
        public let uuid: EventUUID
        public let eventTime: Int64
    }

    /// Why a line is not a stored event.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case invalidJSON(String)
        case notAnObject
        case repeatedKey(String)
        case noEventUUID
        case noEventTime

        public var description: String {
            switch self {
            case .invalidJSON(let problem): "invalid JSON: \(problem)"
            case .notAnObject: "not a JSON object"
            case .repeatedKey(let key): "key \"\(key)\" appears twice in one object"
            case .noEventUUID: "no event_uuid string"
            case .noEventTime: "no integer event_time"
            }
        }
    }

    private let scanner = JSONScanner()
    private var document = JSONDocument()

    public init() {}

    /// The line's event, or why it is not one.
    public mutating func check(_ line: UnsafeRawBufferPointer) -> Result<Event, Problem> {
        let mayRepeatKeys: Bool
        do { mayRepeatKeys = try document.scanCheckingKeys(line, with: scanner) } catch { return .failure(.invalidJSON("\(error)")) }
        guard document.kind(document.root) == .object else { return .failure(.notAnObject) }
        if mayRepeatKeys, let key = document.firstRepeatedKey(within: document.root) { return .failure(.repeatedKey(String(decoding: key, as: UTF8.self))) }
        guard let uuid = document.eventUUID(of: document.root) else { return .failure(.noEventUUID) }
        guard let time = document.member(of: document.root, named: "event_time").flatMap(document.integer) else {
            return .failure(.noEventTime)
        }
        return .success(Event(uuid: uuid, eventTime: time))
    }
}
