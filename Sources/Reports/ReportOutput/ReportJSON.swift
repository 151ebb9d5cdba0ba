import StreamsArchive

/// report.json: the CSV files' content for machines, plus what was read and whether the report is complete.
/// A daily report says its `date` and its events per hour; a range report says `date_from` and `date_to` and
/// its events per date (`days`). Channels carry their events and distinct users.
///
/// It holds no wall-clock time, so re-running the report on unchanged partitions rewrites the same bytes, and
/// its `inputs` list (file, bytes) lets the nightly pipeline tell whether a date's partitions changed since.
public enum ReportJSON {
    public static let formatVersion = 1

    /// report.json: totals, inputs, damage and every table, byte-identical for identical inputs.
    public static func render(_ report: CampaignReport, root: String) -> [UInt8] {
        var json = JSONBuilder(capacity: 4096 + report.rows.count * 300 + report.campaigns.count * 1500)
        json.beginObject()
        json.number("format_version", formatVersion)
        period(report.period, to: &json)
        json.raw("complete", report.isComplete ? "true" : "false")
        DayInputsJSON.appendDamage(report.damage, root: root, to: &json)
        json.object("totals") { totals in
            totals.number("files", report.files.count)
            totals.number("bytes", report.bytes)
            totals.number("events", report.events)
            totals.number("duplicates_dropped", report.duplicates)
            totals.number("campaign_events", report.campaignEvents)
            totals.number("campaigns", report.campaigns.count)
        }
        DayInputsJSON.appendInputs(report.files, includedOpenFiles: report.includedOpenFiles, root: root, to: &json)
        json.beginArray("channels")
        for (channel, events, users) in report.channelEvents {
            json.beginObject()
            json.string("channel", channel.rawValue)
            json.number("events", events)
            json.number("users", users)
            json.endObject()
        }
        json.endArray()
        let slots: [(key: String, value: String, channels: [Channel: Int])] = report.period.isDay
            ? report.hourlyEvents.enumerated().map { ("hour", String($0.offset), $0.element) }
            : report.dailyEvents.map { ("date", "\"\($0.date)\"", $0.channels) }
        json.beginArray(report.period.isDay ? "hours" : "days")
        for slot in slots {
            json.beginObject()
            json.raw(slot.key, slot.value)
            json.object("channels") { object in
                for channel in Channel.allCases { if let count = slot.channels[channel] { object.number(channel.rawValue, count) } }
            }
            json.endObject()
        }
        json.endArray()
        json.beginArray("campaign_events")
        for row in report.rows { campaignEvent(row, period: report.period, to: &json) }
        json.endArray()
        json.beginArray("campaigns")
        for campaign in report.campaigns { self.campaign(campaign, to: &json) }
        json.endArray()
        json.endObject()
        json.raw(nil, "\n")
        return json.bytes
    }

    /// `"date"`, or `"date_from"` and `"date_to"`.
    private static func period(_ period: ReportPeriod, to json: inout JSONBuilder) {
        if period.isDay {
            json.string("date", period.from.description)
        } else {
            json.string("date_from", period.from.description)
            json.string("date_to", period.to.description)
        }
    }

    private static func campaignEvent(_ row: CampaignEventRow, period: ReportPeriod, to json: inout JSONBuilder) {
        json.beginObject()
        self.period(period, to: &json)
        json.string("campaign_id", row.campaignID.description)
        json.string("campaign_name", row.campaignName.description)
        json.string("campaign_type", row.campaignType.description)
        json.string("campaign_channel", row.campaignChannel.description)
        json.string("event_code", row.eventCode.description)
        json.string("event_name", row.eventName.description)
        json.number("events", row.events)
        json.number("unique_users", row.uniqueUsers)
        json.endObject()
    }

    private static func campaign(_ campaign: CampaignSummary, to json: inout JSONBuilder) {
        json.beginObject()
        json.string("campaign_id", campaign.campaignID.description)
        json.string("campaign_name", campaign.name.description)
        json.string("campaign_type", campaign.type.description)
        json.string("campaign_channel", campaign.channel.description)
        counts(events: campaign.events, users: campaign.users, funnel: campaign.funnel, to: &json)
        for (key, parts) in [("variations", campaign.variations), ("locales", campaign.locales)] {
            json.beginArray(key)
            for part in parts {
                json.beginObject()
                json.string(key == "variations" ? "variation_id" : "locale_id", part.value.description)
                if key == "locales" { json.string("locale_name", part.label.description) }
                counts(events: part.events, users: part.users, funnel: part.funnel, to: &json)
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
    }

    private static func counts(events: Int, users: Int, funnel: Funnel, to json: inout JSONBuilder) {
        json.number("events", events)
        json.number("users", users)
        json.object("funnel") { object in
            for stage in FunnelStage.allCases {
                object.object(stage.rawValue) { count in
                    count.number("events", funnel[stage].events)
                    count.number("users", funnel[stage].users)
                }
            }
        }
        json.object("rates") { object in
            for rate in FunnelRate.allCases { object.raw(rate.rawValue, funnel.rate(rate).map(ReportTables.formatRate) ?? "null") }
        }
    }

    static func relative(_ path: String, to root: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }
}
