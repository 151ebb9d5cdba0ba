/// One request body, split into the events to store and the events to keep aside with a reason.
public struct ParsedBatch: Sendable {
    /// `app_name` as sent (raw JSON), or `null` when the envelope has none.
    public let appName: ArraySlice<UInt8>
    /// `moe_request_id` as sent (raw JSON), or `null` when the envelope has none.
    public let requestID: ArraySlice<UInt8>
    /// When the body arrived; written into every stored line as `received_at` (epoch milliseconds).
    public let receivedAt: UTCInstant
    public let accepted: [AcceptedEvent]
    public let rejected: [EventRejection]

    public var eventCount: Int { accepted.count + rejected.count }
}
