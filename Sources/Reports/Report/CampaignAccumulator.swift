import StreamsArchive

/// One worker's counts of a day's campaign events; workers' accumulators are merged at the end.
///
/// Only `CAMPAIGN_EVENT`s count. Campaign attributes are read from `event_attributes`, where MoEngage sends
/// them; an event without a campaign_id is counted under an empty campaign_id rather than dropped. Per event
/// there is one hash-table update and no allocation: values are looked up by fingerprint, and their text is
/// stored the first time it is seen.
struct CampaignAccumulator: Sendable {
    static let plan = FieldPlan(
        topLevel: ["event_type", "event_code", "event_name", "event_time", "uid"], nested: "event_attributes",
        nestedFields: ["campaign_id", "campaign_name", "campaign_type", "campaign_channel", "variation_id", "locale_id", "locale_name"]
    )
    fileprivate static let type = plan.slot("event_type"), code = plan.slot("event_code"), name = plan.slot("event_name")
    fileprivate static let time = plan.slot("event_time"), uid = plan.slot("uid"), campaign = plan.slot("campaign_id")
    fileprivate static let campaignName = plan.slot("campaign_name"), campaignType = plan.slot("campaign_type")
    fileprivate static let campaignChannel = plan.slot("campaign_channel"), variation = plan.slot("variation_id")
    fileprivate static let locale = plan.slot("locale_id"), localeName = plan.slot("locale_name")
    fileprivate static let campaignEvent = Array(EventType.campaign.rawValue.utf8)
    static let emptyID = Fingerprint([UInt8]())

    var groups: [TallyKey: GroupTally] = [:]
    /// The text of every fingerprint used in a `TallyKey`.
    var texts: [Fingerprint: ByteString] = [Self.emptyID: .empty]

    mutating func add(_ event: EventLine) {
        guard event.equals(Self.type, Self.campaignEvent), let code = event.fingerprint(Self.code) else { return }
        let key = TallyKey(
            campaignID: event.fingerprint(Self.campaign) ?? Self.emptyID, eventCode: code, variation: event.fingerprint(Self.variation),
            locale: event.fingerprint(Self.locale)
        )
        let isNew = Self.count(event, time: event.integer(Self.time) ?? .min, in: &groups[key, default: GroupTally()])
        if isNew { remember(key, of: event) }
    }

    /// Adds one event to its group; true if it is the group's first.
    private static func count(_ event: EventLine, time: Int64, in tally: inout GroupTally) -> Bool {
        tally.events += 1
        if let uid = event.fingerprint(Self.uid) { tally.users.insert(uid) }
        tally.eventName.offer(event, Self.name, time: time)
        tally.names.name.offer(event, Self.campaignName, time: time)
        tally.names.type.offer(event, Self.campaignType, time: time)
        tally.names.channel.offer(event, Self.campaignChannel, time: time)
        tally.names.localeName.offer(event, Self.localeName, time: time)
        return tally.events == 1
    }

    /// Stores the text of a new key's values.
    private mutating func remember(_ key: TallyKey, of event: EventLine) {
        for (fingerprint, slot) in [(key.campaignID, Self.campaign), (key.eventCode, Self.code), (key.variation, Self.variation), (key.locale, Self.locale)] {
            if let fingerprint, texts[fingerprint] == nil { texts[fingerprint] = event.text(slot) ?? .empty }
        }
    }

    mutating func merge(_ other: CampaignAccumulator) {
        groups.merge(other.groups) { mine, theirs in
            var merged = mine
            merged.merge(theirs)
            return merged
        }
        texts.merge(other.texts) { mine, _ in mine }
    }

    func text(_ fingerprint: Fingerprint) -> ByteString { texts[fingerprint] ?? .empty }
}
