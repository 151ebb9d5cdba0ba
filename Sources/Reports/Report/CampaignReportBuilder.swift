import StreamsArchive

/// Reads one date's partitions in parallel and turns the workers' counts into a `CampaignReport`.
public enum CampaignReportBuilder {
    /// Reads the date's files (`DayScan`, `DayReader`) with `workers` in parallel and builds its report; damage is
    /// recorded in the report, not thrown.
    public static func build(
        layout: ArchiveLayout, date: UTCDate, includeOpen: Bool = false, workers: Int = System.coreCount,
        progress: ReadProgress? = nil
    ) throws -> CampaignReport {
        let (files, outcome) = try DayScan.withFiles(layout: layout, date: date, includeOpen: includeOpen) { files in
            let outcome = DayReader.read(files, plan: CampaignAccumulator.plan, workers: workers, progress: progress, make: { CampaignAccumulator() }) {
                tally, event in tally.add(event)
            }
            return (files, outcome)
        }
        var total = CampaignAccumulator()
        for part in outcome.accumulators { total.merge(part) }
        return CampaignReport(
            date: date, rows: rows(of: total), campaigns: campaigns(of: total, workers: workers), partitionEvents: outcome.partitionEvents,
            files: files, includedOpenFiles: includeOpen, duplicates: outcome.duplicates, damage: outcome.damage
        )
    }

    private struct RowKey: Hashable {
        let campaignID: Fingerprint
        let eventCode: Fingerprint
    }

    /// Each campaign's names, from the latest events across all its groups.
    static func names(of total: CampaignAccumulator) -> [Fingerprint: CampaignNames] {
        total.groups.reduce(into: [:]) { names, entry in names[entry.key.campaignID, default: CampaignNames()].merge(entry.value.names) }
    }

    static func rows(of total: CampaignAccumulator) -> [CampaignEventRow] {
        let names = names(of: total)
        var merged: [RowKey: GroupTally] = [:]
        for (key, group) in total.groups {
            merged[RowKey(campaignID: key.campaignID, eventCode: key.eventCode), default: GroupTally()].merge(group)
        }
        return merged.map { key, group in
            let campaign = names[key.campaignID] ?? CampaignNames()
            return CampaignEventRow(
                campaignID: total.text(key.campaignID), campaignName: campaign.name.value ?? .empty, campaignType: campaign.type.value ?? .empty,
                campaignChannel: campaign.channel.value ?? .empty, eventCode: total.text(key.eventCode), eventName: group.eventName.value ?? .empty,
                events: group.events, uniqueUsers: group.users.count
            )
        }
        .sorted { ($0.campaignID, $0.eventCode) < ($1.campaignID, $1.eventCode) }
    }

    /// Each campaign's summary; campaigns are independent, so their user sets are unioned on all cores.
    static func campaigns(of total: CampaignAccumulator, workers: Int) -> [CampaignSummary] {
        let names = names(of: total)
        let byCampaign = Array(Dictionary(grouping: total.groups, by: \.key.campaignID))
        let summaries = Parallel.map(byCampaign.count, workers: workers) { _, index in
            let (campaignID, groups) = byCampaign[index]
            return summary(campaignID, groups: groups, names: names[campaignID] ?? CampaignNames(), in: total)
        }
        return summaries.sorted { $0.campaignID < $1.campaignID }
    }

    private static func summary(
        _ campaignID: Fingerprint, groups: [(key: TallyKey, value: GroupTally)], names: CampaignNames, in total: CampaignAccumulator
    ) -> CampaignSummary {
        let localeNames = groups.reduce(into: [Fingerprint: LatestValue]()) { result, entry in
            if let locale = entry.key.locale { result[locale, default: LatestValue()].merge(entry.value.names.localeName) }
        }
        let (events, users, funnel) = summarize(groups.map(\.value), codes: groups.map { total.text($0.key.eventCode) })
        return CampaignSummary(
            campaignID: total.text(campaignID), name: names.name.value ?? .empty, type: names.type.value ?? .empty,
            channel: names.channel.value ?? .empty, events: events, users: users, funnel: funnel,
            variations: breakdown(groups, by: \.variation, in: total) { _ in .empty },
            locales: breakdown(groups, by: \.locale, in: total) { localeNames[$0]?.value ?? .empty }
        )
    }

    private static func breakdown(
        _ groups: [(key: TallyKey, value: GroupTally)], by dimension: KeyPath<TallyKey, Fingerprint?>, in total: CampaignAccumulator,
        label: (Fingerprint) -> ByteString
    ) -> [FunnelBreakdown] {
        let split = Dictionary(grouping: groups.filter { $0.key[keyPath: dimension] != nil }) { $0.key[keyPath: dimension]! }
        return split.map { value, groups in
            let (events, users, funnel) = summarize(groups.map(\.value), codes: groups.map { total.text($0.key.eventCode) })
            return FunnelBreakdown(value: total.text(value), label: label(value), events: events, users: users, funnel: funnel)
        }
        .sorted { $0.value < $1.value }
    }

    private static func summarize(_ groups: [GroupTally], codes: [ByteString]) -> (events: Int, users: Int, funnel: Funnel) {
        let users = groups.reduce(into: FingerprintSet()) { $0.formUnion($1.users) }
        let funnel = Funnel(zip(codes, groups).map { (code: $0.description, events: $1.events, users: $1.users) })
        return (groups.map(\.events).reduce(0, +), users.count, funnel)
    }
}
