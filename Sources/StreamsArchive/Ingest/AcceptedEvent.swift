/// A validated event, ready to store: where it goes, what identifies it, and the line to write.
public struct AcceptedEvent: Sendable {
    /// The event's identity (unescaped `event_uuid` bytes), the receiver's dedup key.
    public let uuid: EventUUID
    public let eventTime: Int64
    public let eventCode: String
    public let partition: PartitionKey
    /// Every key and value as MoEngage sent it, plus `app_name`, `moe_request_id` and `received_at`;
    /// one line of JSON without the trailing newline.
    public let line: [UInt8]
}
