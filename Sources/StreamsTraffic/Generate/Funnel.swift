import StreamsArchive

/// The campaign events one send produces for one user: sent → delivered → opened → clicked, with the
/// bounces, drops, dismissals and unsubscribes each channel has, at believable rates and delays.
///
/// `force` makes every decision lean toward one event code, so the generator can guarantee that all 33
/// codes appear even in small runs.
struct Funnel {
    /// (event code, seconds after the send).
    private(set) var steps: [(code: String, offset: Int64)] = []
    private var random: SeededRandom
    private let force: String?

    private init(random: SeededRandom, force: String?) {
        self.random = random
        self.force = force
    }

    static func build(channel: Channel, platform: GeneratedDevice.Platform, random: inout SeededRandom, force: String?) -> [(code: String, offset: Int64)] {
        var funnel = Funnel(random: random, force: force)
        if funnel.decide(0.03, toward: ["MOE_CAMPAIGN_CONTROL_GROUP"]) {
            funnel.add("MOE_CAMPAIGN_CONTROL_GROUP", 0)
        } else {
            funnel.run(channel, platform)
        }
        random = funnel.random
        return funnel.steps
    }

    /// Which push platform a forced code needs, if any.
    static func platform(forcing code: String?) -> GeneratedDevice.Platform? {
        switch code {
        case "n_i_s", "NOTIFICATION_CLICKED_IOS_MOE": .ios
        case "NOTIFICATION_RECEIVED_WEB_MOE", "NOTIFICATION_CLICKED_WEB_MOE": .web
        case "NOTIFICATION_RECEIVED_MOE", "NOTIFICATION_CLICKED_MOE", "NOTIFICATION_CLEARED_MOE": .android
        default: nil
        }
    }

    private mutating func run(_ channel: Channel, _ platform: GeneratedDevice.Platform) {
        switch channel {
        case .email: email()
        case .sms:
            add("SMS_SENT", 0)
            if decide(0.95, toward: ["SMS_DELIVERED"]) { add("SMS_DELIVERED", delay(2...40)) }
        case .push: push(platform)
        case .connector: add("MOE_CONNECTOR_SENT", 0)
        case .cards:
            add("MOE_CARD_SENT", 0)
            guard decide(0.9, toward: ["MOE_CARD_DELIVERED", "MOE_CARD_VIEWED", "MOE_CARD_CLICKED"]) else { return }
            add("MOE_CARD_DELIVERED", delay(1...30))
            guard decide(0.4, toward: ["MOE_CARD_VIEWED", "MOE_CARD_CLICKED"]) else { return }
            add("MOE_CARD_VIEWED", delay(60...7200))
            if decide(0.15, toward: ["MOE_CARD_CLICKED"]) { add("MOE_CARD_CLICKED", delay(2...120)) }
        case .inapp: shownThen("MOE_IN_APP_SHOWN", clicked: "MOE_IN_APP_CLICKED", dismissed: "MOE_IN_APP_DISMISSED")
        case .onsite: shownThen("MOE_ONSITE_MESSAGE_SHOWN", clicked: "MOE_ONSITE_MESSAGE_CLICKED", dismissed: "MOE_ONSITE_MESSAGE_DISMISSED")
        case .flows:
            add("USER_ENTERED_FLOW", 0)
            if decide(0.7, toward: ["USER_EXITED_FLOW"]) { add("USER_EXITED_FLOW", delay(600...20_000)) }
        case .userAction, .other: break
        }
    }

    private mutating func email() {
        add("MOE_EMAIL_SENT", 0)
        if decide(0.01, toward: ["MOE_EMAIL_DROP"]) { return add("MOE_EMAIL_DROP", delay(1...5)) }
        if decide(0.02, toward: ["MOE_EMAIL_HARD_BOUNCE"]) { return add("MOE_EMAIL_HARD_BOUNCE", delay(2...60)) }
        if decide(0.02, toward: ["MOE_EMAIL_SOFT_BOUNCE"]) { return add("MOE_EMAIL_SOFT_BOUNCE", delay(2...60)) }
        if decide(0.04, toward: ["MOE_EMAIL_DEFERRED"]) { add("MOE_EMAIL_DEFERRED", delay(5...60)) }
        add("MOE_EMAIL_DELIVERED", delay(2...300))
        if decide(0.002, toward: ["MOE_EMAIL_SPAM"]) { return add("MOE_EMAIL_SPAM", delay(60...3600)) }
        guard decide(0.25, toward: ["MOE_EMAIL_OPEN", "MOE_EMAIL_CLICK", "MOE_EMAIL_UNSUBSCRIBE"]) else { return }
        add("MOE_EMAIL_OPEN", delay(60...7200))
        if decide(0.2, toward: ["MOE_EMAIL_CLICK"]) { add("MOE_EMAIL_CLICK", delay(3...600)) }
        if decide(0.02, toward: ["MOE_EMAIL_UNSUBSCRIBE"]) { add("MOE_EMAIL_UNSUBSCRIBE", delay(3...600)) }
    }

    private mutating func push(_ platform: GeneratedDevice.Platform) {
        switch platform {
        case .android:
            add("NOTIFICATION_RECEIVED_MOE", 0)
            if decide(0.08, toward: ["NOTIFICATION_CLICKED_MOE"]) {
                add("NOTIFICATION_CLICKED_MOE", delay(5...3600))
            } else if decide(0.3, toward: ["NOTIFICATION_CLEARED_MOE"]) {
                add("NOTIFICATION_CLEARED_MOE", delay(5...3600))
            }
        case .ios:
            add("n_i_s", 0)
            if decide(0.07, toward: ["NOTIFICATION_CLICKED_IOS_MOE"]) { add("NOTIFICATION_CLICKED_IOS_MOE", delay(5...3600)) }
        case .web:
            add("NOTIFICATION_RECEIVED_WEB_MOE", 0)
            if decide(0.05, toward: ["NOTIFICATION_CLICKED_WEB_MOE"]) { add("NOTIFICATION_CLICKED_WEB_MOE", delay(5...3600)) }
        }
    }

    private mutating func shownThen(_ shown: String, clicked: String, dismissed: String) {
        add(shown, 0)
        if decide(0.1, toward: [clicked]) {
            add(clicked, delay(1...60))
        } else if decide(0.6, toward: [dismissed]) {
            add(dismissed, delay(1...60))
        }
    }

    /// With a forced code, true exactly when this branch leads to it; otherwise true with probability `p`.
    private mutating func decide(_ p: Double, toward codes: [String]) -> Bool {
        if let force { return codes.contains(force) }
        return random.chance(p)
    }

    /// Each step happens after the previous one.
    private mutating func delay(_ range: ClosedRange<Int>) -> Int64 {
        (steps.last?.offset ?? 0) + Int64(random.inRange(range))
    }

    private mutating func add(_ code: String, _ offset: Int64) {
        steps.append((code, offset))
    }
}
