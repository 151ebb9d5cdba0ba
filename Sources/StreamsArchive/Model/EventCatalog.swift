/// One campaign interaction event in MoEngage's Streams table.
public struct CatalogEntry: Sendable, Hashable {
    public let code: String
    public let name: String
    /// The channel from the table; nil for the control-group event, which belongs to whatever channel its campaign uses.
    public let channel: Channel?
}

/// The 33 campaign interaction events that MoEngage Streams exports, as its documentation lists them.
public enum EventCatalog {
    public static let entries: [CatalogEntry] = [
        CatalogEntry(code: "MOE_EMAIL_SENT", name: "Email Sent", channel: .email),
        CatalogEntry(code: "MOE_EMAIL_DEFERRED", name: "Email Deferred", channel: .email),
        CatalogEntry(code: "MOE_EMAIL_DELIVERED", name: "Email Delivered", channel: .email),
        CatalogEntry(code: "MOE_EMAIL_DROP", name: "Email Dropped", channel: .email),
        CatalogEntry(code: "MOE_EMAIL_HARD_BOUNCE", name: "Email Bounced", channel: .email),
        CatalogEntry(code: "MOE_EMAIL_SOFT_BOUNCE", name: "Email Soft Bounced", channel: .email),
        CatalogEntry(code: "MOE_EMAIL_OPEN", name: "Email Opened", channel: .email),
        CatalogEntry(code: "MOE_EMAIL_CLICK", name: "Email Clicked", channel: .email),
        CatalogEntry(code: "MOE_EMAIL_UNSUBSCRIBE", name: "Email Unsubscribed", channel: .email),
        CatalogEntry(code: "MOE_EMAIL_SPAM", name: "Email Spam Complained", channel: .email),
        CatalogEntry(code: "SMS_SENT", name: "SMS Sent", channel: .sms),
        CatalogEntry(code: "SMS_DELIVERED", name: "SMS Delivered", channel: .sms),
        CatalogEntry(code: "NOTIFICATION_RECEIVED_MOE", name: "Notification Received Android", channel: .push),
        CatalogEntry(code: "NOTIFICATION_CLICKED_MOE", name: "Notification Clicked Android", channel: .push),
        CatalogEntry(code: "NOTIFICATION_CLEARED_MOE", name: "Notification Swiped Android", channel: .push),
        CatalogEntry(code: "n_i_s", name: "Notification Sent iOS", channel: .push),
        CatalogEntry(code: "NOTIFICATION_CLICKED_IOS_MOE", name: "Notification Clicked iOS", channel: .push),
        CatalogEntry(code: "NOTIFICATION_RECEIVED_WEB_MOE", name: "Notification Received Web", channel: .push),
        CatalogEntry(code: "NOTIFICATION_CLICKED_WEB_MOE", name: "Notification Clicked Web", channel: .push),
        CatalogEntry(code: "MOE_CONNECTOR_SENT", name: "Connector Sent", channel: .connector),
        CatalogEntry(code: "MOE_CARD_SENT", name: "Card Sent", channel: .cards),
        CatalogEntry(code: "MOE_CARD_DELIVERED", name: "Card Delivered", channel: .cards),
        CatalogEntry(code: "MOE_CARD_VIEWED", name: "Card Viewed", channel: .cards),
        CatalogEntry(code: "MOE_CARD_CLICKED", name: "Card Clicked", channel: .cards),
        CatalogEntry(code: "MOE_IN_APP_SHOWN", name: "Mobile In-App Shown", channel: .inapp),
        CatalogEntry(code: "MOE_IN_APP_CLICKED", name: "Mobile In-App Clicked", channel: .inapp),
        CatalogEntry(code: "MOE_IN_APP_DISMISSED", name: "Mobile In-App Closed", channel: .inapp),
        CatalogEntry(code: "MOE_ONSITE_MESSAGE_SHOWN", name: "On-site Message Shown", channel: .onsite),
        CatalogEntry(code: "MOE_ONSITE_MESSAGE_CLICKED", name: "On-site Message Clicked", channel: .onsite),
        CatalogEntry(code: "MOE_ONSITE_MESSAGE_DISMISSED", name: "On-site Message Closed", channel: .onsite),
        CatalogEntry(code: "USER_ENTERED_FLOW", name: "User Entered Flow", channel: .flows),
        CatalogEntry(code: "USER_EXITED_FLOW", name: "User Exited Flow", channel: .flows),
        CatalogEntry(code: "MOE_CAMPAIGN_CONTROL_GROUP", name: "User Added to Control Group", channel: nil),
    ]

    /// Keyed by bytes: a code that is only canonically equivalent (a Kelvin sign for `K`) is not the code.
    private static let byCode: [[UInt8]: CatalogEntry] = Dictionary(uniqueKeysWithValues: entries.map { (Array($0.code.utf8), $0) })

    /// The catalog's entry for an event_code; nil for a code it does not know.
    public static func entry(for code: String) -> CatalogEntry? { byCode[Array(code.utf8)] }
}
