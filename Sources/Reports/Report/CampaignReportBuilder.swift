import StreamsArchive

/// Reads a period's partitions in parallel and turns the workers' counts into a `CampaignReport`: one date, or
/// a range whose dates are all read into the same counts, so its unique users are exact across the dates.
public enum CampaignReportBuilder {
    /// Reads the period's files (`RangeScan`, `DayScan`, `DayReader`), group by group, with `workers` in
    /// parallel and builds its report; damage is recorded in the report, not thrown; a range with dates that are
    /// not here is refused (`RangeUnavailable`). The workers' user sets and the spill's write buffers together
    /// stay within `memoryBudget`: past it the sets are spilled (`UserSpill`) and counted partition by
    /// partition, with the same counts.
    public static func build(
        layout: ArchiveLayout, period: ReportPeriod, includeOpen: Bool = false, workers: Int = System.coreCount,
        memoryBudget: MemoryBudget = .machineDefault, progress: ReadProgress? = nil
    ) throws -> CampaignReport {
        let groups = try RangeScan.groups(layout: layout, period: period, includeOpen: includeOpen, descriptorLimit: System.raiseDescriptorLimit())
        // The spill is sized for the whole period before the first group is read.
        let bytes = try groups.count == 1 ? nil : groups.map { partitions in
            try DayScan.withFiles(layout: layout, partitions: partitions, includeOpen: includeOpen) { $0.map(\.bytes).reduce(0, +) }
        }.reduce(0, +)
        var spill: UserSpill?
        defer { spill?.remove() }
        var parts: [CampaignAccumulator] = []
        var files: [ScannedFile] = []
        var damage: [FileDamage] = []
        var partitionEvents: [PartitionKey: Int] = [:]
        var duplicates = 0
        for partitions in groups {
            try DayScan.withFiles(layout: layout, partitions: partitions, includeOpen: includeOpen) { group in
                let users = try spill ?? userSpill(layout: layout, bytes: bytes ?? group.map(\.bytes).reduce(0, +), budget: memoryBudget)
                spill = users
                let share = userShare(of: memoryBudget, beside: users, workers: workers)
                let outcome = DayReader.read(
                    group, plan: CampaignAccumulator.plan, workers: workers, progress: progress,
                    make: { parts.popLast() ?? CampaignAccumulator(spill: users, userBudget: share) }, enter: { $0.enter($1) }
                ) { tally, event in tally.add(event) }
                parts += outcome.accumulators
                files += group
                damage += outcome.damage
                partitionEvents.merge(outcome.partitionEvents, uniquingKeysWith: +)
                duplicates += outcome.duplicates
            }
        }
        var report = try finish(
            period: period, parts: parts, spill: spill!, files: files, includeOpen: includeOpen, partitionEvents: partitionEvents,
            duplicates: duplicates, damage: damage.sorted { ($0.path, $0.offset) < ($1.path, $1.offset) }, workers: workers
        )
        report.readGroups = groups.count
        return report
    }

    /// Where the workers spill their users past `budget`, for a period of `bytes` of gzip.
    static func userSpill(layout: ArchiveLayout, bytes: Int64, budget: MemoryBudget) throws -> UserSpill {
        // At most two (group, uid) pairs per event (its campaign group and its channel): about one event per 16
        // bytes of gzip at most.
        try UserSpill(layout: layout, budget: budget.bytes, pairs: Int(bytes / 8))
    }

    /// Each worker's share of `budget` for user sets: what the spill's write buffers leave, split between them.
    static func userShare(of budget: MemoryBudget, beside spill: UserSpill, workers: Int) -> Int {
        MemoryBudget(bytes: max(0, budget.bytes - spill.bufferBytes)).share(max(1, workers))
    }

    /// The report from the read workers' tallies (`parts`), their users counted in memory or through `spill`.
    static func finish(
        period: ReportPeriod, parts: [CampaignAccumulator], spill: UserSpill, files: [ScannedFile], includeOpen: Bool,
        partitionEvents: [PartitionKey: Int], duplicates: Int, damage: [FileDamage], workers: Int
    ) throws -> CampaignReport {
        var parts = parts
        let spilled = spill.used
        var total = CampaignAccumulator()
        for index in parts.indices {
            if let failure = parts[index].failure { throw failure }
            if spilled { try parts[index].spillUsers() }
            total.mergeCounts(parts[index])
        }
        let counts: UserCounts
        if spilled {
            try spill.finishWriting()
            var sum = UserCounts()
            for partition in 0..<spill.partitions { sum.add(UserCounts(try spill.read(partition), code: { total.text($0).description })) }
            counts = sum
        } else {
            counts = userCounts(of: parts.flatMap(\.userGroups), texts: total, workers: workers)
        }
        var report = CampaignReport(
            period: period, rows: rows(of: total, counts: counts), campaigns: campaigns(of: total, counts: counts, workers: workers),
            partitionEvents: partitionEvents, files: files, includedOpenFiles: includeOpen, duplicates: duplicates, damage: damage,
            channelUsers: counts.channels
        )
        report.spilledUsers = spilled
        return report
    }

    /// The users of the workers' groups held in memory, counted campaign by campaign and channel by channel on
    /// all cores, largest first; `texts` names the event codes.
    static func userCounts(of groups: [(key: UserGroup, users: FingerprintSet)], texts: CampaignAccumulator, workers: Int) -> UserCounts {
        let jobs = Dictionary(grouping: groups) { group -> CountedTogether in
            switch group.key {
            case .tally(let key): .campaign(key.campaignID)
            case .channel(let channel): .channel(channel)
            }
        }.values.sorted { $0.map(\.users.count).reduce(0, +) > $1.map(\.users.count).reduce(0, +) }
        let parts = Parallel.map(jobs.count, workers: workers) { _, index in
            UserCounts(jobs[index], code: { texts.text($0).description })
        }
        return parts.reduce(into: UserCounts()) { $0.add($1) }
    }

    /// The user sets one job counts: a campaign's (its rows, scopes and stages) or a channel's.
    private enum CountedTogether: Hashable {
        case campaign(Fingerprint)
        case channel(Channel)
    }

    private struct RowKey: Hashable {
        let campaignID: Fingerprint
        let eventCode: Fingerprint
    }

    /// Each campaign's names, from the latest events across all its groups.
    static func names(of total: CampaignAccumulator) -> [Fingerprint: CampaignNames] {
        total.groups.reduce(into: [:]) { names, entry in names[entry.key.campaignID, default: CampaignNames()].merge(entry.value.names) }
    }

    static func rows(of total: CampaignAccumulator, counts: UserCounts) -> [CampaignEventRow] {
        let names = names(of: total)
        var merged: [RowKey: GroupTally] = [:]
        for (key, group) in total.groups {
            merged[RowKey(campaignID: key.campaignID, eventCode: key.eventCode), default: GroupTally()].mergeCounts(group)
        }
        return merged.map { key, group in
            let campaign = names[key.campaignID] ?? CampaignNames()
            return CampaignEventRow(
                campaignID: total.text(key.campaignID), campaignName: campaign.name.value ?? .empty, campaignType: campaign.type.value ?? .empty,
                campaignChannel: campaign.channel.value ?? .empty, eventCode: total.text(key.eventCode), eventName: group.eventName.value ?? .empty,
                events: group.events, uniqueUsers: counts.row(key.campaignID, key.eventCode)
            )
        }
        .sorted { ($0.campaignID, $0.eventCode) < ($1.campaignID, $1.eventCode) }
    }

    /// Each campaign's summary.
    static func campaigns(of total: CampaignAccumulator, counts: UserCounts, workers: Int) -> [CampaignSummary] {
        let names = names(of: total)
        let byCampaign = Array(Dictionary(grouping: total.groups, by: \.key.campaignID))
        let summaries = Parallel.map(byCampaign.count, workers: workers) { _, index in
            let (campaignID, groups) = byCampaign[index]
            return summary(campaignID, groups: groups, names: names[campaignID] ?? CampaignNames(), in: total, counts: counts)
        }
        return summaries.sorted { $0.campaignID < $1.campaignID }
    }

    private static func summary(
        _ campaignID: Fingerprint, groups: [(key: TallyKey, value: GroupTally)], names: CampaignNames, in total: CampaignAccumulator, counts: UserCounts
    ) -> CampaignSummary {
        let localeNames = groups.reduce(into: [Fingerprint: LatestValue]()) { result, entry in
            if let locale = entry.key.locale { result[locale, default: LatestValue()].merge(entry.value.names.localeName) }
        }
        let scope = UserScope(campaign: campaignID, variation: nil, locale: nil)
        let (events, users, funnel) = summarize(groups, scope: scope, in: total, counts: counts)
        return CampaignSummary(
            campaignID: total.text(campaignID), name: names.name.value ?? .empty, type: names.type.value ?? .empty,
            channel: names.channel.value ?? .empty, events: events, users: users, funnel: funnel,
            variations: breakdown(groups, by: \.variation, in: total, counts: counts) { _ in .empty },
            locales: breakdown(groups, by: \.locale, in: total, counts: counts) { localeNames[$0]?.value ?? .empty }
        )
    }

    private static func breakdown(
        _ groups: [(key: TallyKey, value: GroupTally)], by dimension: KeyPath<TallyKey, Fingerprint?>, in total: CampaignAccumulator,
        counts: UserCounts, label: (Fingerprint) -> ByteString
    ) -> [FunnelBreakdown] {
        let split = Dictionary(grouping: groups.filter { $0.key[keyPath: dimension] != nil }) { $0.key[keyPath: dimension]! }
        return split.map { value, groups in
            let campaign = groups[0].key.campaignID
            let scope = dimension == \TallyKey.variation
                ? UserScope(campaign: campaign, variation: value, locale: nil) : UserScope(campaign: campaign, variation: nil, locale: value)
            let (events, users, funnel) = summarize(groups, scope: scope, in: total, counts: counts)
            return FunnelBreakdown(value: total.text(value), label: label(value), events: events, users: users, funnel: funnel)
        }
        .sorted { $0.value < $1.value }
    }

    private static func summarize(
        _ groups: [(key: TallyKey, value: GroupTally)], scope: UserScope, in total: CampaignAccumulator, counts: UserCounts
    ) -> (events: Int, users: Int, funnel: Funnel) {
        let funnel = Funnel(groups.map { (code: total.text($0.key.eventCode).description, events: $0.value.events) }) { counts.stage(scope, $0) }
        return (groups.map(\.value.events).reduce(0, +), counts.scope(scope), funnel)
    }
}
