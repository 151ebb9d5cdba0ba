import StreamsArchive

/// report.json: the CSV files' content for machines, plus what was read and whether the report is complete.
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
        json.string("date", report.date.description)
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
        for (channel, events) in report.channelEvents {
            json.beginObject()
            json.string("channel", channel.rawValue)
            json.number("events", events)
            json.endObject()
        }
        json.endArray()
        json.beginArray("hours")
        for (hour, channels) in report.hourlyEvents.enumerated() {
            json.beginObject()
            json.number("hour", hour)
            json.object("channels") { object in
                for channel in Channel.allCases { if let count = channels[channel] { object.number(channel.rawValue, count) } }
            }
            json.endObject()
        }
        json.endArray()
        json.beginArray("campaign_events")
        for row in report.rows { campaignEvent(row, date: report.date, to: &json) }
        json.endArray()
        json.beginArray("campaigns")
        for campaign in report.campaigns { self.campaign(campaign, to: &json) }
        json.endArray()
        json.endObject()
        json.raw(nil, "\n")
        return json.bytes
    }

    private static func campaignEvent(_ row: CampaignEventRow, date: UTCDate, to json: inout JSONBuilder) {
        json.beginObject()
        json.string("date", date.description)
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
