import StreamsArchive

/// One row of campaign_events.csv: a campaign's events of one code on the report's date.
public struct CampaignEventRow: Sendable, Equatable {
    public let campaignID: ByteString
    public let campaignName: ByteString
    public let campaignType: ByteString
    public let campaignChannel: ByteString
    public let eventCode: ByteString
    public let eventName: ByteString
    public let events: Int
    public let uniqueUsers: Int
}

/// A campaign's funnel, split by variation or locale.
public struct FunnelBreakdown: Sendable, Equatable {
    /// variation_id or locale_id.
    public let value: ByteString
    /// locale_name for a locale; empty for a variation.
    public let label: ByteString
    public let events: Int
    public let users: Int
    public let funnel: Funnel
}

/// A campaign's day: what it is, its funnel, and its variations and locales where it has them.
public struct CampaignSummary: Sendable, Equatable {
    public let campaignID: ByteString
    public let name: ByteString
    public let type: ByteString
    public let channel: ByteString
    public let events: Int
    public let users: Int
    public let funnel: Funnel
    public let variations: [FunnelBreakdown]
    public let locales: [FunnelBreakdown]
}

/// Everything the report's files show for one date or a range of dates.
public struct CampaignReport: Sendable {
    public let period: ReportPeriod
    /// Sorted by campaign_id, then event_code, in byte order.
    public let rows: [CampaignEventRow]
    /// Sorted by campaign_id.
    public let campaigns: [CampaignSummary]
    /// Distinct events of every kind (campaign and user actions), per partition.
    public let partitionEvents: [PartitionKey: Int]
    public let files: [ScannedFile]
    public let includedOpenFiles: Bool
    public let duplicates: Int
    public let damage: [FileDamage]
    /// Distinct uids per channel, over events of every kind (campaign and user actions) in the channel's partitions.
    public let channelUsers: [Channel: Int]
    /// The users outgrew the memory budget and were counted through the disk (the counts are the same).
    public var spilledUsers = false
    /// How many groups of hours a range was read in, to keep its hours' locks within the descriptor limit.
    public var readGroups = 1

    public var isComplete: Bool { damage.isEmpty }
    public var events: Int { partitionEvents.values.reduce(0, +) }
    public var campaignEvents: Int { rows.map(\.events).reduce(0, +) }
    public var bytes: Int64 { files.map(\.bytes).reduce(0, +) }

    /// Events and distinct users per channel, in the order of `Channel.allCases`, channels with no events left out.
    public var channelEvents: [(channel: Channel, events: Int, users: Int)] {
        let totals = partitionEvents.reduce(into: [Channel: Int]()) { $0[$1.key.channel, default: 0] += $1.value }
        return Channel.allCases.compactMap { channel in totals[channel].map { (channel, $0, channelUsers[channel] ?? 0) } }
    }

    /// Events per date of the period and channel.
    public var dailyEvents: [(date: UTCDate, channels: [Channel: Int])] {
        let byDate = partitionEvents.reduce(into: [UTCDate: [Channel: Int]]()) { $0[$1.key.date, default: [:]][$1.key.channel, default: 0] += $1.value }
        return period.dates.map { ($0, byDate[$0] ?? [:]) }
    }

    /// Events per hour (0–23) and channel.
    public var hourlyEvents: [[Channel: Int]] {
        var hours = [[Channel: Int]](repeating: [:], count: 24)
        for (key, count) in partitionEvents { hours[key.hour][key.channel, default: 0] += count }
        return hours
    }
}
