import StreamsArchive

/// Reads one date's partitions in parallel and turns the workers' counts into a `CampaignReport`.
public enum CampaignReportBuilder {
    public static func build(
        layout: ArchiveLayout, date: UTCDate, includeOpen: Bool = false, workers: Int = System.coreCount,
        progress: ReadProgress? = nil
    ) throws -> CampaignReport {
        let files = try DayScan.files(layout: layout, date: date, includeOpen: includeOpen)
        let outcome = DayReader.read(files, workers: workers, progress: progress, make: { CampaignAccumulator() }) { tally, event in
            tally.add(event)
        }
        var total = CampaignAccumulator()
        for part in outcome.accumulators { total.merge(part) }
        return CampaignReport(
            date: date, rows: rows(of: total), campaigns: campaigns(of: total), partitionEvents: outcome.partitionEvents,
            files: files, includedOpenFiles: includeOpen, duplicates: outcome.duplicates, damage: outcome.damage
        )
    }

    private struct RowKey: Hashable {
        let campaignID: ByteString
        let eventCode: ByteString
    }

    static func rows(of total: CampaignAccumulator) -> [CampaignEventRow] {
        var merged: [RowKey: GroupTally] = [:]
        for (key, group) in total.groups {
            merged[RowKey(campaignID: key.campaignID, eventCode: key.eventCode), default: GroupTally()].merge(group)
        }
        return merged.map { key, group in
            let campaign = total.campaigns[key.campaignID] ?? CampaignDescriptor()
            return CampaignEventRow(
                campaignID: key.campaignID, campaignName: campaign.name.value ?? .empty, campaignType: campaign.type.value ?? .empty,
                campaignChannel: campaign.channel.value ?? .empty, eventCode: key.eventCode, eventName: group.eventName.value ?? .empty,
                events: group.events, uniqueUsers: group.users.count
            )
        }
        .sorted { ($0.campaignID, $0.eventCode) < ($1.campaignID, $1.eventCode) }
    }

    static func campaigns(of total: CampaignAccumulator) -> [CampaignSummary] {
        let byCampaign = Dictionary(grouping: total.groups, by: \.key.campaignID)
        return byCampaign.map { campaignID, groups in
            let descriptor = total.campaigns[campaignID] ?? CampaignDescriptor()
            let (events, users, funnel) = summarize(groups.map(\.value), codes: groups.map(\.key.eventCode))
            return CampaignSummary(
                campaignID: campaignID, name: descriptor.name.value ?? .empty, type: descriptor.type.value ?? .empty,
                channel: descriptor.channel.value ?? .empty, events: events, users: users, funnel: funnel,
                variations: breakdown(groups, by: \.variation) { _ in .empty },
                locales: breakdown(groups, by: \.locale) { descriptor.localeNames[$0]?.value ?? .empty }
            )
        }
        .sorted { $0.campaignID < $1.campaignID }
    }

    private static func breakdown(
        _ groups: [(key: TallyKey, value: GroupTally)], by dimension: KeyPath<TallyKey, ByteString?>, label: (ByteString) -> ByteString
    ) -> [FunnelBreakdown] {
        let split = Dictionary(grouping: groups.filter { $0.key[keyPath: dimension] != nil }) { $0.key[keyPath: dimension]! }
        return split.map { value, groups in
            let (events, users, funnel) = summarize(groups.map(\.value), codes: groups.map(\.key.eventCode))
            return FunnelBreakdown(value: value, label: label(value), events: events, users: users, funnel: funnel)
        }
        .sorted { $0.value < $1.value }
    }

    private static func summarize(_ groups: [GroupTally], codes: [ByteString]) -> (events: Int, users: Int, funnel: Funnel) {
        let users = groups.reduce(into: Set<ByteString>()) { $0.formUnion($1.users) }
        let funnel = Funnel(zip(codes, groups).map { (code: $0.description, events: $1.events, users: $1.users) })
        return (groups.map(\.events).reduce(0, +), users.count, funnel)
    }
}
