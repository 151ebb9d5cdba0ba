/// Turns a Streams request body into stored lines, validating the envelope and each event.
///
/// The body is validated and minified once; each stored line is the event's own bytes with the three
/// archive fields appended, so nothing MoEngage sent is re-encoded or dropped.
package struct EnvelopeParser: Sendable {
    /// Events before 2000-01-01 are implausible for MoEngage.
    package static let earliestEventTime: Int64 = 946_684_800
    /// An event_time this far past arrival still counts as clock skew, not a bad value.
    package static let futureTolerance: Duration = .seconds(86_400)
    /// An `event_uuid` longer than this is refused: it is a dedup key held in memory.
    package static let maxUUIDBytes = 256
    /// Keys the archive writes itself; an event that already carries one is kept aside rather than overwritten.
    package static let reservedKeys = ["app_name", "moe_request_id", "received_at"]

    package let scanner: JSONScanner

    package init(scanner: JSONScanner = JSONScanner()) {
        self.scanner = scanner
    }

    package func parse(_ body: [UInt8], receivedAt: UTCInstant) throws(EnvelopeError) -> ParsedBatch {
        try withBytes(body) { (raw) throws(EnvelopeError) in try parse(raw, receivedAt: receivedAt) }
    }

    package func parse(_ body: UnsafeRawBufferPointer, receivedAt: UTCInstant) throws(EnvelopeError) -> ParsedBatch {
        let document: JSONDocument
        do {
            document = try scanner.document(body)
        } catch {
            throw EnvelopeError.invalidJSON(error)
        }
        guard document.kind(document.root) == .object else { throw EnvelopeError.notAnObject(document.kind(document.root)) }
        if let repeated = document.repeatedKey(of: document.root) { throw EnvelopeError.repeatedKey(String(decoding: repeated, as: UTF8.self)) }
        guard let events = document.member(of: document.root, named: "events") else { throw EnvelopeError.missingEvents }
        guard document.kind(events) == .array else { throw EnvelopeError.eventsNotAnArray(document.kind(events)) }
        let appName = try envelopeString(document, "app_name")
        let requestID = try envelopeString(document, "moe_request_id")

        var suffix = Array(#","app_name":"#.utf8) + appName
        suffix += Array(#","moe_request_id":"#.utf8) + requestID
        suffix += Array(#","received_at":"#.utf8) + Array(String(receivedAt.millisecondsSinceEpoch).utf8) + [UInt8(ascii: "}")]

        let validator = EventValidator(document: document, receivedAt: receivedAt)
        var accepted: [AcceptedEvent] = []
        var rejected: [EventRejection] = []
        for (index, event) in document.elements(of: events).enumerated() {
            switch validator.validate(event) {
            case .success(let fields):
                let body = document.raw(event).dropLast()
                accepted.append(
                    AcceptedEvent(
                        uuid: fields.uuid,
                        eventTime: fields.eventTime,
                        eventCode: fields.eventCode,
                        partition: PartitionKey(eventTime: fields.eventTime, channel: fields.channel),
                        line: Array(body) + suffix
                    )
                )
            case .failure(let reason):
                rejected.append(EventRejection(index: index, reason: reason, raw: document.raw(event)))
            }
        }
        return ParsedBatch(appName: appName, requestID: requestID, receivedAt: receivedAt, accepted: accepted, rejected: rejected)
    }

    /// An optional envelope string, as raw JSON; `null` when absent or null.
    private func envelopeString(_ document: JSONDocument, _ field: String) throws(EnvelopeError) -> ArraySlice<UInt8> {
        guard let node = document.member(of: document.root, named: field), document.kind(node) != .null else {
            return ArraySlice("null".utf8)
        }
        guard document.kind(node) == .string else {
            throw EnvelopeError.wrongType(field: field, expected: .string, found: document.kind(node))
        }
        return document.raw(node)
    }
}
