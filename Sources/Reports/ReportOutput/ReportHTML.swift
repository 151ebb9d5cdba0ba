import StreamsArchive

/// report.html: the day (or the range of days) at a glance on one self-contained page (inline CSS and SVG, no
/// script, no network), linked to the reports' home page (`ReportsHome`), readable on a phone: charts shrink
/// to the width (`SVGChart`: a viewBox, at most 100% wide), and the wide campaign table scrolls inside its own
/// box.
public enum ReportHTML {
    static let palette: [Channel: String] = [
        .email: "#4e79a7", .sms: "#f28e2b", .push: "#e15759", .connector: "#76b7b2", .cards: "#59a14f", .inapp: "#edc948",
        .onsite: "#b07aa1", .flows: "#ff9da7", .userAction: "#9c755f", .other: "#bab0ac",
    ]

    /// The stages the funnel charts and the table show, in funnel order.
    static let headlineStages: [FunnelStage] = [.sent, .delivered, .opened, .clicked]

    /// The self-contained report.html (inline SVG charts, no scripts); paths shown relative to `root`.
    public static func render(_ report: CampaignReport, root: String) -> [UInt8] {
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Campaign report \(report.period)</title>
            <style>
            body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}
            h1{font-size:22px}h2{font-size:17px;margin-top:28px}
            .tiles{display:flex;gap:12px;flex-wrap:wrap}.tile{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:130px}
            .tile b{display:block;font-size:20px}.banner{background:#fde2e1;border:1px solid #e15759;padding:10px;border-radius:6px}
            table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #eee;padding:4px 8px;text-align:right}
            td:first-child,th:first-child,td:nth-child(2),th:nth-child(2){text-align:left}
            .funnels{display:flex;flex-wrap:wrap;gap:8px}.funnels figure{margin:0;min-width:0;max-width:100%}figcaption{font-size:13px;font-weight:bold}
            .wide{overflow-x:auto;max-width:100%}figcaption,.banner{overflow-wrap:anywhere}
            @media (max-width:600px){body{margin:10px}}
            </style></head><body>
            <p><a href="../index.html">All reports</a></p>
            <h1>Campaign report — \(report.period) (UTC)</h1>

            """
        if !report.isComplete {
            page += "<div class=\"banner\" id=\"incomplete\"><b>Incomplete:</b> \(report.damage.count) damaged input file(s) could not be read to the end.<ul>"
            for damage in report.damage {
                page += "<li>\(HTML.escape(ReportJSON.relative(damage.path, to: root))) at byte \(damage.offset): \(HTML.escape(damage.reason))</li>"
            }
            page += "</ul></div>\n"
        }
        page += tiles(report)
        page += "<h2>Events per channel</h2>\n" + SVGChart.bars(
            report.channelEvents.map { .init(label: $0.channel.rawValue, value: $0.events, color: palette[$0.channel]!) }, name: "channels"
        )
        page += "\n<h2>Unique users per channel</h2>\n" + SVGChart.bars(
            report.channelEvents.map { .init(label: $0.channel.rawValue, value: $0.users, color: palette[$0.channel]!) }, name: "channel-users"
        )
        let channels = report.channelEvents.map(\.channel)
        let series = channels.map { ($0.rawValue, palette[$0]!) }
        if report.period.isDay {
            page += "\n<h2>Events per hour (by event time)</h2>\n" + SVGChart.stackedColumns(
                report.hourlyEvents.map { hour in channels.map { hour[$0] ?? 0 } }, series: series,
                columnLabels: (0..<24).map { UTCDate.pad(Int64($0), 2) }, name: "hours"
            )
        } else {
            let days = report.dailyEvents
            page += "\n<h2>Events per day (by event time)</h2>\n" + SVGChart.stackedColumns(
                days.map { day in channels.map { day.channels[$0] ?? 0 } }, series: series, columnLabels: days.map { String($0.date.description.suffix(5)) },
                name: "days"
            )
        }
        let top = report.campaigns.sorted { ($0.events, $1.campaignID) > ($1.events, $0.campaignID) }.prefix(10)
        page += "\n<h2>Top campaigns by events</h2>\n" + SVGChart.bars(
            top.map { .init(label: name(of: $0), value: $0.events, color: color(of: $0)) }, name: "top-campaigns"
        )
        page += "\n<h2>Funnels of the top campaigns (unique users)</h2>\n<div class=\"funnels\">"
        for campaign in top.prefix(6) {
            page += "<figure><figcaption>\(HTML.escape(name(of: campaign)))</figcaption>"
            page += SVGChart.bars(
                headlineStages.map { .init(label: $0.rawValue, value: campaign.funnel[$0].users, color: color(of: campaign)) },
                name: "funnel", width: 520
            )
            page += "</figure>"
        }
        page += "</div>\n" + table(report) + definitions(report.period) + "</body></html>\n"
        return Array(page.utf8)
    }

    private static func tiles(_ report: CampaignReport) -> String {
        let items: [(String, String)] = [
            ("events", HTML.number(report.events)), ("campaign events", HTML.number(report.campaignEvents)),
            ("campaigns", HTML.number(report.campaigns.count)), ("duplicates dropped", HTML.number(report.duplicates)),
            ("files read", HTML.number(report.files.count)),
        ]
        return "<div class=\"tiles\">" + items.map { "<div class=\"tile\"><b>\($1)</b>\($0)</div>" }.joined() + "</div>\n"
    }

    private static func table(_ report: CampaignReport) -> String {
        var html = "<h2>All campaigns</h2>\n<div class=\"wide\"><table id=\"campaigns\"><thead><tr><th>campaign</th><th>channel</th>"
        html += headlineStages.map { "<th>\($0.rawValue)</th>" }.joined()
        html += FunnelRate.allCases.map { "<th>\($0.rawValue.split(separator: "_").joined(separator: " "))</th>" }.joined() + "</tr></thead><tbody>"
        for campaign in report.campaigns {
            html += "<tr><td>\(HTML.escape(name(of: campaign)))</td><td>\(HTML.escape(campaign.channel.description))</td>"
            html += headlineStages.map { "<td>\(HTML.number(campaign.funnel[$0].users))</td>" }.joined()
            html += FunnelRate.allCases.map { "<td>\(HTML.percent(campaign.funnel.rate($0)))</td>" }.joined() + "</tr>"
        }
        return html + "</tbody></table></div>\n"
    }

    private static func definitions(_ period: ReportPeriod) -> String {
        let scope = period.isDay
            ? "Counts are events whose event_time falls on this UTC date, each event_uuid once."
            : "Counts are events whose event_time falls on these UTC dates (\(period.from) to \(period.to), both included), each event_uuid once; "
                + "unique users are distinct across the whole range, so they are not the sum of the daily reports' users."
        return "<h2>How to read this</h2><p>\(scope) " + definitionText
    }

    private static let definitionText = """
        Funnel stages and rates use unique users: delivery rate = delivered / sent; open rate = opened / delivered; \
        click-through rate = clicked / delivered; click-to-open rate = clicked / opened; bounce rate = hard-bounced / sent; \
        unsubscribe rate = unsubscribed / delivered. "Opened" is opened (email), shown (in-app, on-site) or viewed (cards). \
        For push, Streams reports iOS notifications as sent and Android and web ones as received, so sent, delivered and \
        opened all count notifications that reached a device, and click-through is the rate to read. A rate above 100% \
        means the earlier stage fell before the report's first date.</p>

        """

    private static func name(of campaign: CampaignSummary) -> String {
        campaign.name.bytes.isEmpty ? campaign.campaignID.description : campaign.name.description
    }

    private static func color(of campaign: CampaignSummary) -> String {
        Channel(campaignChannel: campaign.channel.description).flatMap { palette[$0] } ?? palette[.other]!
    }
}
