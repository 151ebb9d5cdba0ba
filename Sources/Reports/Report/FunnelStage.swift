/// A step of a campaign's funnel, the same across channels so campaigns of different channels line up.
///
/// Each Streams event code counts toward one stage, except push. Streams reports an iOS notification only as
/// sent (`n_i_s`) and an Android or web one only as received on the device (`NOTIFICATION_RECEIVED_*`), and
/// neither has an open event. Counting them as different stages would compare iOS sends with Android arrivals
/// (delivery rates of 300% on a mixed audience), so both count as sent, delivered and opened: a push campaign's
/// meaningful rate is its click-through rate, clicks over notifications that reached a device.
public enum FunnelStage: String, CaseIterable, Sendable {
    case sent
    case delivered
    /// Opened (email), shown (in-app, on-site), viewed (cards), received (push).
    case opened
    case clicked
    /// Closed or swiped away (push, in-app, on-site).
    case dismissed
    case deferred
    case softBounced = "soft_bounced"
    /// Hard bounce.
    case bounced
    case dropped
    case unsubscribed
    case spam
    case controlGroup = "control_group"
    case enteredFlow = "entered_flow"
    case exitedFlow = "exited_flow"

    /// The stages an event code counts toward; empty for codes outside MoEngage's campaign event table.
    public static func stages(of code: String) -> [FunnelStage] {
        table[code] ?? []
    }

    private static let table: [String: [FunnelStage]] = [
        "MOE_EMAIL_SENT": [.sent], "SMS_SENT": [.sent], "n_i_s": [.sent, .delivered, .opened], "MOE_CONNECTOR_SENT": [.sent], "MOE_CARD_SENT": [.sent],
        "MOE_EMAIL_DELIVERED": [.delivered], "SMS_DELIVERED": [.delivered], "MOE_CARD_DELIVERED": [.delivered],
        "NOTIFICATION_RECEIVED_MOE": [.sent, .delivered, .opened], "NOTIFICATION_RECEIVED_WEB_MOE": [.sent, .delivered, .opened],
        "MOE_EMAIL_OPEN": [.opened], "MOE_CARD_VIEWED": [.opened], "MOE_IN_APP_SHOWN": [.opened], "MOE_ONSITE_MESSAGE_SHOWN": [.opened],
        "MOE_EMAIL_CLICK": [.clicked], "NOTIFICATION_CLICKED_MOE": [.clicked], "NOTIFICATION_CLICKED_IOS_MOE": [.clicked],
        "NOTIFICATION_CLICKED_WEB_MOE": [.clicked], "MOE_CARD_CLICKED": [.clicked], "MOE_IN_APP_CLICKED": [.clicked],
        "MOE_ONSITE_MESSAGE_CLICKED": [.clicked],
        "NOTIFICATION_CLEARED_MOE": [.dismissed], "MOE_IN_APP_DISMISSED": [.dismissed], "MOE_ONSITE_MESSAGE_DISMISSED": [.dismissed],
        "MOE_EMAIL_DEFERRED": [.deferred], "MOE_EMAIL_SOFT_BOUNCE": [.softBounced], "MOE_EMAIL_HARD_BOUNCE": [.bounced],
        "MOE_EMAIL_DROP": [.dropped], "MOE_EMAIL_UNSUBSCRIBE": [.unsubscribed], "MOE_EMAIL_SPAM": [.spam],
        "MOE_CAMPAIGN_CONTROL_GROUP": [.controlGroup], "USER_ENTERED_FLOW": [.enteredFlow], "USER_EXITED_FLOW": [.exitedFlow],
    ]
}
