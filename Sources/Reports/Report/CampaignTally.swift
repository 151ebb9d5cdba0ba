import StreamsArchive

/// The grain one worker counts at: a campaign's events of one code, split by variation and locale so that
/// the campaign_events rows, the campaign funnels and the variation/locale breakdowns all derive from it.
struct TallyKey: Hashable, Sendable {
    let campaignID: ByteString
    let eventCode: ByteString
    let variation: ByteString?
    let locale: ByteString?
}

/// Counts for one `TallyKey`.
struct GroupTally: Sendable {
    var events = 0
    var users = Set<ByteString>()
    var eventName = LatestValue()

    mutating func merge(_ other: GroupTally) {
        events += other.events
        users.formUnion(other.users)
        eventName.merge(other.eventName)
    }
}

/// What a campaign is called, from its latest events.
struct CampaignDescriptor: Sendable {
    var name = LatestValue()
    var type = LatestValue()
    var channel = LatestValue()
    var localeNames: [ByteString: LatestValue] = [:]

    mutating func merge(_ other: CampaignDescriptor) {
        name.merge(other.name)
        type.merge(other.type)
        channel.merge(other.channel)
        localeNames.merge(other.localeNames) { mine, theirs in
            var merged = mine
            merged.merge(theirs)
            return merged
        }
    }
}
