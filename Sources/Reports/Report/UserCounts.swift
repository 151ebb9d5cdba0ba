import StreamsArchive

/// A campaign, or one of its variations or locales: a scope the report counts distinct users in.
struct UserScope: Hashable, Sendable {
    let campaign: Fingerprint
    let variation: Fingerprint?
    let locale: Fingerprint?
}

/// Distinct users at every level the report shows: per (campaign, event code) row, per scope (campaign,
/// variation, locale), per scope and funnel stage, and per channel.
///
/// Counted from the groups' user sets by union. The counts of disjoint sets of uids add up, which is what lets
/// a report over its memory budget count partition by partition (`UserSpill`: each uid in exactly one
/// partition) and sum, with the same result as counting everything at once.
struct UserCounts: Sendable {
    struct Row: Hashable, Sendable {
        let campaign: Fingerprint
        let code: Fingerprint
    }

    struct Stage: Hashable, Sendable {
        let scope: UserScope
        let stage: FunnelStage
    }

    private(set) var rows: [Row: Int] = [:]
    private(set) var scopes: [UserScope: Int] = [:]
    private(set) var stages: [Stage: Int] = [:]
    private(set) var channels: [Channel: Int] = [:]

    init() {}

    /// Counts the users of `groups`; `code` gives an event code's text (for its funnel stages).
    init(_ groups: [(key: UserGroup, users: FingerprintSet)], code: (Fingerprint) -> String) {
        var rowSets: [Row: FingerprintSet] = [:]
        var scopeSets: [UserScope: FingerprintSet] = [:]
        var stageSets: [Stage: FingerprintSet] = [:]
        var channelSets: [Channel: FingerprintSet] = [:]
        for (group, users) in groups {
            let key: TallyKey
            switch group {
            case .channel(let channel):
                channelSets[channel, default: FingerprintSet()].formUnion(users)
                continue
            case .tally(let tally): key = tally
            }
            rowSets[Row(campaign: key.campaignID, code: key.eventCode), default: FingerprintSet()].formUnion(users)
            var scopes = [UserScope(campaign: key.campaignID, variation: nil, locale: nil)]
            if let variation = key.variation { scopes.append(UserScope(campaign: key.campaignID, variation: variation, locale: nil)) }
            if let locale = key.locale { scopes.append(UserScope(campaign: key.campaignID, variation: nil, locale: locale)) }
            let funnelStages = FunnelStage.stages(of: code(key.eventCode))
            for scope in scopes {
                scopeSets[scope, default: FingerprintSet()].formUnion(users)
                for stage in funnelStages { stageSets[Stage(scope: scope, stage: stage), default: FingerprintSet()].formUnion(users) }
            }
        }
        rows = rowSets.mapValues(\.count)
        scopes = scopeSets.mapValues(\.count)
        stages = stageSets.mapValues(\.count)
        channels = channelSets.mapValues(\.count)
    }

    /// Adds counts of users disjoint from these.
    mutating func add(_ other: UserCounts) {
        rows.merge(other.rows, uniquingKeysWith: +)
        scopes.merge(other.scopes, uniquingKeysWith: +)
        stages.merge(other.stages, uniquingKeysWith: +)
        channels.merge(other.channels, uniquingKeysWith: +)
    }

    func row(_ campaign: Fingerprint, _ code: Fingerprint) -> Int { rows[Row(campaign: campaign, code: code)] ?? 0 }
    func scope(_ scope: UserScope) -> Int { scopes[scope] ?? 0 }
    func stage(_ scope: UserScope, _ stage: FunnelStage) -> Int { stages[Stage(scope: scope, stage: stage)] ?? 0 }
}
