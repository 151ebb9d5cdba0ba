/// The two values of `event_type` that MoEngage sends.
public enum EventType: String, Sendable {
    case campaign = "CAMPAIGN_EVENT"
    case userAction = "USER_ACTION_EVENT"
}

extension Channel {
    /// Resolves an event's partition channel as SPEC.md fixes it: `user_action` for user actions; for campaign
    /// events the `campaign_channel` attribute, else the event code's channel in the Streams table; else `other`.
    public static func resolve(eventType: String?, eventCode: String, campaignChannel: String?) -> Channel {
        if eventType.map({ $0.utf8.elementsEqual(EventType.userAction.rawValue.utf8) }) == true { return .userAction }
        if let campaignChannel, let channel = Channel(campaignChannel: campaignChannel) { return channel }
        return EventCatalog.entry(for: eventCode)?.channel ?? .other
    }
}
