import StreamsArchive

/// One worker's counts of a day's campaign events, and of each channel's distinct users; workers' counts are
/// merged at the end, and their user sets counted together.
///
/// Only `CAMPAIGN_EVENT`s count towards campaigns; every event counts towards the users of the channel whose
/// partition holds it (`enter`). Campaign attributes are read from `event_attributes`, where MoEngage sends
/// them; an event without a campaign_id is counted under an empty campaign_id rather than dropped. Per event
/// there is one hash-table update and no allocation: values are looked up by fingerprint, and their text is
/// stored the first time it is seen. When this worker's user sets outgrow its share of the memory budget,
/// they are written to the `UserSpill` and emptied (events and names stay: they do not grow with users).
struct CampaignAccumulator: Sendable {
    static let plan = FieldPlan(
        topLevel: ["event_type", "event_code", "event_name", "event_time", "uid"], nested: "event_attributes",
        nestedFields: ["campaign_id", "campaign_name", "campaign_type", "campaign_channel", "variation_id", "locale_id", "locale_name"]
    )
    /// The plan's slots, looked up once per accumulator: a computed static would be checked for its
    /// initialization at every use, several times an event.
    fileprivate struct Slots {
        let type = plan.slot("event_type"), code = plan.slot("event_code"), name = plan.slot("event_name")
        let time = plan.slot("event_time"), uid = plan.slot("uid"), campaign = plan.slot("campaign_id")
        let campaignName = plan.slot("campaign_name"), campaignType = plan.slot("campaign_type")
        let campaignChannel = plan.slot("campaign_channel"), variation = plan.slot("variation_id")
        let locale = plan.slot("locale_id"), localeName = plan.slot("locale_name")
        let campaignEvent = Array(EventType.campaign.rawValue.utf8)
    }
    private let slot = Slots()
    static let emptyID = Fingerprint([UInt8]())

    var groups: [TallyKey: GroupTally] = [:]
    /// The text of every fingerprint used in a `TallyKey`.
    var texts: [Fingerprint: ByteString] = [Self.emptyID: .empty]
    /// Distinct uids per channel, indexed as `Channel.allCases`.
    var channelUsers = [FingerprintSet](repeating: FingerprintSet(), count: Channel.allCases.count)
    /// The channel of the partition being read.
    private var channel = 0
    /// Where users go past `userBudget` bytes of user sets (nil: they stay in memory).
    let spill: UserSpill?
    let userBudget: Int
    private var heldUsers = 0
    /// The first spill that failed (the reader's visit cannot throw; the builder does).
    private(set) var failure: (any Error)?

    init(spill: UserSpill? = nil, userBudget: Int = .max) {
        self.spill = spill
        self.userBudget = userBudget
    }

    /// The events that follow are of `partition`'s channel.
    mutating func enter(_ partition: PartitionKey) {
        channel = Channel.allCases.firstIndex(of: partition.channel)!
    }

    mutating func add(_ event: EventLine) {
        let slot = self.slot
        let uid = event.fingerprint(slot.uid)
        if let uid, channelUsers[channel].insert(uid) { heldNewUser() }
        guard event.equals(slot.type, slot.campaignEvent), let code = event.fingerprint(slot.code) else { return }
        let key = TallyKey(
            campaignID: event.fingerprint(slot.campaign) ?? Self.emptyID, eventCode: code, variation: event.fingerprint(slot.variation),
            locale: event.fingerprint(slot.locale)
        )
        let (isNew, newUser) = Self.count(event, slot: slot, uid: uid, time: event.integer(slot.time) ?? .min, in: &groups[key, default: GroupTally()])
        if isNew { remember(key, of: event) }
        if newUser { heldNewUser() }
    }

    /// Counts one more user held in a set, and spills them all past the budget.
    private mutating func heldNewUser() {
        heldUsers += 1
        if spill != nil, failure == nil, heldUsers * FingerprintSet.bytesPerMember > userBudget {
            do { try spillUsers() } catch { failure = error }
        }
    }

    /// Writes every user set to the spill and empties it.
    mutating func spillUsers() throws {
        guard let spill else { return }
        for (key, group) in groups where group.users.count > 0 {
            try spill.append(.tally(key), group.users)
            groups[key]!.users = FingerprintSet()
        }
        for (index, users) in channelUsers.enumerated() where users.count > 0 {
            try spill.append(.channel(Channel.allCases[index]), users)
            channelUsers[index] = FingerprintSet()
        }
        heldUsers = 0
    }

    /// Every user set held, by what it counts.
    var userGroups: [(key: UserGroup, users: FingerprintSet)] {
        groups.map { (UserGroup.tally($0.key), $0.value.users) }
            + channelUsers.enumerated().filter { $0.element.count > 0 }.map { (UserGroup.channel(Channel.allCases[$0.offset]), $0.element) }
    }

    /// Adds one event to its group: whether it is the group's first event, and whether its uid is new there.
    private static func count(_ event: EventLine, slot: Slots, uid: Fingerprint?, time: Int64, in tally: inout GroupTally) -> (Bool, Bool) {
        tally.events += 1
        let newUser = uid.map { tally.users.insert($0) } ?? false
        tally.eventName.offer(event, slot.name, time: time)
        tally.names.name.offer(event, slot.campaignName, time: time)
        tally.names.type.offer(event, slot.campaignType, time: time)
        tally.names.channel.offer(event, slot.campaignChannel, time: time)
        tally.names.localeName.offer(event, slot.localeName, time: time)
        return (tally.events == 1, newUser)
    }

    /// Stores the text of a new key's values.
    private mutating func remember(_ key: TallyKey, of event: EventLine) {
        for (fingerprint, field) in [(key.campaignID, slot.campaign), (key.eventCode, slot.code), (key.variation, slot.variation), (key.locale, slot.locale)] {
            if let fingerprint, texts[fingerprint] == nil { texts[fingerprint] = event.text(field) ?? .empty }
        }
    }

    /// Adds `other`'s events and names. Users are not merged: they are counted from every worker's sets at once
    /// (`userGroups`), in parallel, or through the spill.
    mutating func mergeCounts(_ other: CampaignAccumulator) {
        groups.merge(other.groups.mapValues { $0.withoutUsers }) { mine, theirs in
            var merged = mine
            merged.mergeCounts(theirs)
            return merged
        }
        texts.merge(other.texts) { mine, _ in mine }
    }

    func text(_ fingerprint: Fingerprint) -> ByteString { texts[fingerprint] ?? .empty }
}
