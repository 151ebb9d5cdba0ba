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
    ///
    /// Each scope's users are first gathered per event code; a row is its campaign scope's users of one code, and
    /// a scope's and a stage's users are unions of its codes' sets. A union into an empty set takes the other's
    /// table, so a stage reached by one code, or a row of one group, costs no copy.
    init(_ groups: [(key: UserGroup, users: FingerprintSet)], code: (Fingerprint) -> String) {
        var channelSets: [Channel: FingerprintSet] = [:]
        var byCode: [UserScope: [Fingerprint: FingerprintSet]] = [:]
        for (group, users) in groups {
            switch group {
            case .channel(let channel):
                channelSets[channel, default: FingerprintSet()].formUnion(users)
            case .tally(let key):
                for scope in Self.scopes(of: key) { byCode[scope, default: [:]][key.eventCode, default: FingerprintSet()].formUnion(users) }
            }
        }
        for (scope, codes) in byCode {
            var all = FingerprintSet()
            var stageSets: [FunnelStage: FingerprintSet] = [:]
            for (eventCode, users) in codes {
                if scope.variation == nil && scope.locale == nil { rows[Row(campaign: scope.campaign, code: eventCode)] = users.count }
                all.formUnion(users)
                for stage in FunnelStage.stages(of: code(eventCode)) { stageSets[stage, default: FingerprintSet()].formUnion(users) }
            }
            scopes[scope] = all.count
            for (stage, users) in stageSets { stages[Stage(scope: scope, stage: stage)] = users.count }
        }
        channels = channelSets.mapValues(\.count)
    }

    /// The scopes a group's users count in: its campaign, and its variation and its locale if it has them.
    private static func scopes(of key: TallyKey) -> [UserScope] {
        var scopes = [UserScope(campaign: key.campaignID, variation: nil, locale: nil)]
        if let variation = key.variation { scopes.append(UserScope(campaign: key.campaignID, variation: variation, locale: nil)) }
        if let locale = key.locale { scopes.append(UserScope(campaign: key.campaignID, variation: nil, locale: locale)) }
        return scopes
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
