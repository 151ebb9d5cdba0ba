import StreamsArchive

/// The grain one worker counts at: a campaign's events of one code, split by variation and locale so that
/// the campaign_events rows, the campaign funnels and the variation/locale breakdowns all derive from it.
/// Values are held as fingerprints; their text is kept once in `CampaignAccumulator.texts`.
struct TallyKey: Hashable, Sendable {
    let campaignID: Fingerprint
    let eventCode: Fingerprint
    let variation: Fingerprint?
    let locale: Fingerprint?

    /// Fingerprints are uniformly mixed already, so one word combined from each places a key.
    func hash(into hasher: inout Hasher) {
        hasher.combine(campaignID.low ^ eventCode.low &* 31 ^ (variation?.low ?? 1) &* 961 ^ (locale?.low ?? 2) &* 29_791)
    }
}

/// What a set of distinct users is counted for: a tally group, or a channel (every event of its partitions).
enum UserGroup: Hashable, Sendable {
    case tally(TallyKey)
    case channel(Channel)
}

/// Counts for one `TallyKey`: distinct events, distinct uids by fingerprint, and the names its latest events
/// carry (merged per campaign when the report is built, so the naming rule spans the whole campaign).
struct GroupTally: Sendable {
    var events = 0
    var users = FingerprintSet()
    var eventName = LatestValue()
    var names = CampaignNames()

    /// The counts without the user set.
    var withoutUsers: GroupTally {
        var counts = self
        counts.users = FingerprintSet()
        return counts
    }

    /// Adds `other`'s events and names; users are counted from the groups' sets (`UserCounts`).
    mutating func mergeCounts(_ other: GroupTally) {
        events += other.events
        eventName.merge(other.eventName)
        names.merge(other.names)
    }
}

/// What a campaign (and a locale) is called, from the latest events that say.
struct CampaignNames: Sendable {
    var name = LatestValue()
    var type = LatestValue()
    var channel = LatestValue()
    var localeName = LatestValue()

    mutating func merge(_ other: CampaignNames) {
        name.merge(other.name)
        type.merge(other.type)
        channel.merge(other.channel)
        localeName.merge(other.localeName)
    }
}
