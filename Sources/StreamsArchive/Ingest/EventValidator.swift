/// The fields of a valid event that the archive needs to place and identify it.
struct EventFields {
    var uuid: EventUUID
    var eventTime: Int64
    var eventCode: String
    var channel: Channel
}

/// Checks one event of a batch and gives the first reason it cannot be stored.
struct EventValidator {
    let document: JSONDocument
    let receivedAt: UTCInstant

    func validate(_ event: Int) -> Result<EventFields, RejectionReason> {
        guard document.kind(event) == .object else { return .failure(.notAnObject(document.kind(event))) }
        // Keys compare as unescaped bytes at every depth: "k\u00e9" and "ke\u0301" are two keys.
        if let repeated = document.firstRepeatedKey(within: event) {
            return .failure(.duplicateKey(String(decoding: repeated, as: UTF8.self)))
        }
        var reserved: String?
        document.forEachMember(of: event) { key, _ in
            if reserved == nil { reserved = EnvelopeParser.reservedKeys.first { document.keyEquals(key, $0) } }
        }
        if let reserved { return .failure(.reservedKey(reserved)) }

        let uuid: EventUUID
        switch requiredString(event, "event_uuid") {
        case .success: uuid = document.eventUUID(of: event)!
        case .failure(let reason): return .failure(reason)
        }
        guard uuid.bytes.count <= EnvelopeParser.maxUUIDBytes else {
            return .failure(.fieldTooLong(field: "event_uuid", limit: EnvelopeParser.maxUUIDBytes))
        }
        let eventTime: Int64
        switch self.eventTime(event) {
        case .success(let value): eventTime = value
        case .failure(let reason): return .failure(reason)
        }
        let code: String
        switch requiredString(event, "event_code") {
        case .success(let value): code = value
        case .failure(let reason): return .failure(reason)
        }
        for field in ["event_type", "uid", "event_name"] {
            if let reason = wrongKind(event, field, allowed: .string) { return .failure(reason) }
        }
        for field in ["event_attributes", "user_attributes", "device_attributes"] {
            if let reason = wrongKind(event, field, allowed: .object) { return .failure(reason) }
        }
        let eventType = document.member(of: event, named: "event_type").flatMap(document.string)
        let attributes = document.member(of: event, named: "event_attributes").flatMap { document.kind($0) == .object ? $0 : nil }
        let campaignChannel = attributes.flatMap { document.member(of: $0, named: "campaign_channel") }.flatMap(document.string)
        let channel = Channel.resolve(eventType: eventType, eventCode: code, campaignChannel: campaignChannel)
        return .success(EventFields(uuid: uuid, eventTime: eventTime, eventCode: code, channel: channel))
    }

    private func requiredString(_ event: Int, _ field: String) -> Result<String, RejectionReason> {
        guard let node = document.member(of: event, named: field) else { return .failure(.missingField(field)) }
        guard let value = document.string(node) else {
            return .failure(.wrongType(field: field, expected: .string, found: document.kind(node)))
        }
        guard !value.isEmpty else { return .failure(.emptyField(field)) }
        return .success(value)
    }

    private func eventTime(_ event: Int) -> Result<Int64, RejectionReason> {
        guard let node = document.member(of: event, named: "event_time") else { return .failure(.missingField("event_time")) }
        guard document.kind(node) == .number else {
            return .failure(.wrongType(field: "event_time", expected: .number, found: document.kind(node)))
        }
        guard let value = document.integer(node) else {
            return .failure(.eventTimeNotInteger(raw: String(decoding: document.raw(node).prefix(40), as: UTF8.self)))
        }
        if value >= 100_000_000_000 { return .failure(.eventTimeInMilliseconds(value)) }
        let latest = (receivedAt + EnvelopeParser.futureTolerance).secondsSinceEpoch
        guard value >= EnvelopeParser.earliestEventTime && value <= latest else {
            return .failure(.eventTimeOutOfRange(value: value, earliest: EnvelopeParser.earliestEventTime, latest: latest))
        }
        return .success(value)
    }

    /// A reason when an optional field is present with a kind other than `allowed` or null.
    private func wrongKind(_ event: Int, _ field: String, allowed: JSONKind) -> RejectionReason? {
        guard let node = document.member(of: event, named: field) else { return nil }
        let kind = document.kind(node)
        return kind == allowed || kind == .null ? nil : .wrongType(field: field, expected: allowed, found: kind)
    }
}
