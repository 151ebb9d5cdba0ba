import StreamsArchive

/// One worker's counts of a day's campaign events; workers' accumulators are merged at the end.
///
/// Only `CAMPAIGN_EVENT`s count. Campaign attributes are read from `event_attributes`, where MoEngage sends
/// them; an event without a campaign_id is counted under an empty campaign_id rather than dropped.
struct CampaignAccumulator: Sendable {
    var groups: [TallyKey: GroupTally] = [:]
    var campaigns: [ByteString: CampaignDescriptor] = [:]

    mutating func add(_ event: JSONDocument) {
        let root = event.root
        guard let type = event.member(of: root, named: "event_type"), event.keyEquals(type, EventType.campaign.rawValue),
            let code = event.text(of: root, "event_code"), let uuid = event.text(of: root, "event_uuid")
        else { return }
        let time = event.member(of: root, named: "event_time").flatMap(event.integer) ?? .min
        let attributes = event.member(of: root, named: "event_attributes").flatMap { event.kind($0) == .object ? $0 : nil }
        func attribute(_ name: String) -> ByteString? { attributes.flatMap { event.text(of: $0, name) } }

        let campaignID = attribute("campaign_id") ?? .empty
        let locale = attribute("locale_id")
        let key = TallyKey(campaignID: campaignID, eventCode: code, variation: attribute("variation_id"), locale: locale)
        groups[key, default: GroupTally()].add(event, uuid: uuid, time: time)

        campaigns[campaignID, default: CampaignDescriptor()].offer(time: time, uuid: uuid, locale: locale, attribute: attribute)
    }

    mutating func merge(_ other: CampaignAccumulator) {
        groups.merge(other.groups) { mine, theirs in
            var merged = mine
            merged.merge(theirs)
            return merged
        }
        campaigns.merge(other.campaigns) { mine, theirs in
            var merged = mine
            merged.merge(theirs)
            return merged
        }
    }
}

extension CampaignDescriptor {
    fileprivate mutating func offer(time: Int64, uuid: ByteString, locale: ByteString?, attribute: (String) -> ByteString?) {
        name.offer(attribute("campaign_name"), time: time, uuid: uuid)
        type.offer(attribute("campaign_type"), time: time, uuid: uuid)
        channel.offer(attribute("campaign_channel"), time: time, uuid: uuid)
        if let locale { localeNames[locale, default: LatestValue()].offer(attribute("locale_name"), time: time, uuid: uuid) }
    }
}

extension GroupTally {
    fileprivate mutating func add(_ event: JSONDocument, uuid: ByteString, time: Int64) {
        events += 1
        if let uid = event.text(of: event.root, "uid") { users.insert(uid) }
        eventName.offer(event.text(of: event.root, "event_name"), time: time, uuid: uuid)
    }
}
