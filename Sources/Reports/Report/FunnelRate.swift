/// A rate marketing reads off a funnel, computed from unique users: a person who opens an email three times
/// is one opener. A rate whose denominator is zero is undefined (an empty CSV field, `null` in JSON).
///
/// All stages count events on the report's date only, so a rate can exceed 1 when an earlier stage of the same
/// people fell on the day before (sent at 23:50, opened after midnight).
public enum FunnelRate: String, CaseIterable, Sendable {
    /// delivered users / sent users
    case delivery = "delivery_rate"
    /// opened users / delivered users
    case open = "open_rate"
    /// clicked users / delivered users
    case clickThrough = "click_through_rate"
    /// clicked users / opened users
    case clickToOpen = "click_to_open_rate"
    /// hard-bounced users / sent users
    case bounce = "bounce_rate"
    /// unsubscribed users / delivered users
    case unsubscribe = "unsubscribe_rate"

    public var numerator: FunnelStage {
        switch self {
        case .delivery: .delivered
        case .open: .opened
        case .clickThrough, .clickToOpen: .clicked
        case .bounce: .bounced
        case .unsubscribe: .unsubscribed
        }
    }

    public var denominator: FunnelStage {
        switch self {
        case .delivery, .bounce: .sent
        case .open, .clickThrough, .unsubscribe: .delivered
        case .clickToOpen: .opened
        }
    }

    /// The rate, or nil when no one reached the denominator's stage.
    public func value(in funnel: Funnel) -> Double? {
        let below = funnel[denominator].users
        return below == 0 ? nil : Double(funnel[numerator].users) / Double(below)
    }
}
