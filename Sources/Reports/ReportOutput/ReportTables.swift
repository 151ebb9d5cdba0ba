import StreamsArchive

/// The report's CSV files, built from a `CampaignReport`. A daily report's rows start with SPEC.md's `date`; a
/// range report's with `date_from,date_to` in its place.
public enum ReportTables {
    /// The header SPEC.md fixes for campaign_events.csv.
    public static let campaignEventsHeader = [
        "date", "campaign_id", "campaign_name", "campaign_type", "campaign_channel", "event_code", "event_name", "events",
        "unique_users",
    ]

    /// `<stage>_events,<stage>_users` for every stage, then every rate.
    static let funnelHeader = FunnelStage.allCases.flatMap { ["\($0.rawValue)_events", "\($0.rawValue)_users"] } + FunnelRate.allCases.map(\.rawValue)

    /// The leading columns that say which dates a row covers.
    static func periodHeader(_ period: ReportPeriod) -> [String] { period.isDay ? ["date"] : ["date_from", "date_to"] }

    private static func periodCells(_ period: ReportPeriod) -> [ByteString] {
        period.isDay ? [ByteString(period.from.description)] : [ByteString(period.from.description), ByteString(period.to.description)]
    }

    /// campaign_events.csv: one row per campaign and event code (RFC 4180, formula-like cells neutralised).
    public static func campaignEvents(_ report: CampaignReport) -> [UInt8] {
        var table = CSVTable(header: periodHeader(report.period) + campaignEventsHeader.dropFirst())
        let period = periodCells(report.period)
        for row in report.rows {
            table.row(period + [
                row.campaignID, row.campaignName, row.campaignType, row.campaignChannel, row.eventCode, row.eventName,
                ByteString(String(row.events)), ByteString(String(row.uniqueUsers)),
            ])
        }
        return table.bytes
    }

    /// One row per campaign: what it is, its events and users, then its funnel and rates.
    public static func campaigns(_ report: CampaignReport) -> [UInt8] {
        var table = CSVTable(
            header: periodHeader(report.period) + ["campaign_id", "campaign_name", "campaign_type", "campaign_channel", "events", "users"] + funnelHeader
        )
        let period = periodCells(report.period)
        for campaign in report.campaigns {
            table.row(
                period + [campaign.campaignID, campaign.name, campaign.type, campaign.channel, number(campaign.events), number(campaign.users)]
                    + funnelFields(campaign.funnel)
            )
        }
        return table.bytes
    }

    /// One row per campaign variation and per campaign locale, for campaigns that have them.
    public static func breakdown(_ report: CampaignReport) -> [UInt8] {
        var table = CSVTable(
            header: periodHeader(report.period) + ["campaign_id", "campaign_name", "dimension", "value", "label", "events", "users"] + funnelHeader
        )
        let period = periodCells(report.period)
        for campaign in report.campaigns {
            for (dimension, parts) in [("variation", campaign.variations), ("locale", campaign.locales)] {
                for part in parts {
                    table.row(
                        period + [campaign.campaignID, campaign.name, ByteString(dimension), part.value, part.label, number(part.events), number(part.users)]
                            + funnelFields(part.funnel)
                    )
                }
            }
        }
        return table.bytes
    }

    private static func funnelFields(_ funnel: Funnel) -> [ByteString] {
        FunnelStage.allCases.flatMap { [number(funnel[$0].events), number(funnel[$0].users)] }
            + FunnelRate.allCases.map { funnel.rate($0).map { ByteString(formatRate($0)) } ?? .empty }
    }

    private static func number(_ value: Int) -> ByteString { ByteString(String(value)) }

    /// A rate with four decimals ("0.2512"), the precision marketing reads and that survives a CSV round trip.
    public static func formatRate(_ rate: Double) -> String {
        let scaled = Int64((rate * 10_000).rounded())
        return "\(scaled / 10_000).\(UTCDate.pad(scaled % 10_000, 4))"
    }
}
