/// A partition's channel: a fixed name from SPEC.md, never taken from raw input.
public enum Channel: String, CaseIterable, Sendable, Codable, Comparable {
    case email, sms, push, connector, cards, inapp, onsite, flows
    case userAction = "user_action"
    case other

    /// The channel for a `campaign_channel` attribute as MoEngage writes it ("Email", "Mobile In-Apps", …);
    /// nil when the value is not one this project knows.
    public init?(campaignChannel value: String) {
        let folded = String(value.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) })
        switch folded {
        case "email": self = .email
        case "sms": self = .sms
        case "push", "pushnotification", "pushnotifications": self = .push
        case "connector", "connectors": self = .connector
        case "cards", "card": self = .cards
        case "mobileinapps", "mobileinapp", "inapp", "inapps": self = .inapp
        case "onsitemessaging", "onsitemessages", "onsite", "osm": self = .onsite
        case "flows", "flow": self = .flows
        default: return nil
        }
    }

    public static func < (lhs: Channel, rhs: Channel) -> Bool { lhs.rawValue < rhs.rawValue }
}
