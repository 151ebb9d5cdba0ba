import StreamsArchive

/// reports/index.html: the page to open every morning. The last 30 days per channel (events and unique users),
/// the top campaigns of the latest day and of its week with their change, and a link to every daily and range
/// report, each marked complete, incomplete (damaged input) or unfinished.
///
/// Rewritten atomically by every report run (`ReportFiles.write`) from the reports on disk, never from memory,
/// so two report runs at once leave one whole page of what both wrote. Self-contained like report.html: inline
/// CSS and SVG, no script, no network; readable on a phone (charts shrink, tables scroll in their own box).
/// Week figures are sums of daily events; unique users across days are what range reports are for.
public enum ReportsHome {
    public static let days = 30
    static let topCampaigns = 10

    /// Rewrites reports/index.html from every report under the root.
    public static func write(layout: ArchiveLayout) throws {
        let digests = try ReportDigest.all(layout: layout, detailedDays: days)
        try AtomicFile.write(render(digests), to: layout.reportsHomePage)
    }

    static func render(_ digests: [ReportDigest]) -> [UInt8] {
        let dailies = Dictionary(digests.filter(\.period.isDay).map { ($0.period.from, $0) }, uniquingKeysWith: { first, _ in first })
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Campaign reports</title>
            <style>
            body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}
            h1{font-size:22px}h2{font-size:17px;margin-top:28px}
            table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #eee;padding:4px 8px;text-align:right}
            td:first-child,th:first-child,td:nth-child(2),th:nth-child(2){text-align:left}
            .wide{overflow-x:auto;max-width:100%}.up{color:#2e7d32}.down{color:#c62828}
            .incomplete,.unfinished{color:#c62828;font-weight:bold}.banner{background:#fde2e1;border:1px solid #e15759;padding:10px;border-radius:6px}
            .banner,td{overflow-wrap:anywhere}.trends{display:flex;flex-wrap:wrap;gap:4px 20px}.trends figure{margin:0;max-width:100%}
            figcaption{font-size:14px;font-weight:bold}
            @media (max-width:600px){body{margin:10px}}
            </style></head><body>
            <h1>Campaign reports</h1>

            """
        guard let latest = dailies.keys.max() else {
            page += "<p>No daily report yet: run <code>streams-archive report --date D</code> or the nightly job.</p>\n"
            return Array((page + ranges(digests) + "</body></html>\n").utf8)
        }
        // The last `days` dates, from the first with a report if that is later (a new archive's few days).
        let first = max(latest.adding(days: Int64(1 - days)), dailies.keys.min()!)
        let window = (first.daysSinceEpoch...latest.daysSinceEpoch).map { UTCDate(daysSinceEpoch: $0) }
        page += "<p>Latest day: <a href=\"\(latest.directoryName)/report.html\">\(latest)</a> (UTC). Rewritten by every report run.</p>\n"
        let damaged = window.filter { dailies[$0].map { $0.status != .complete } ?? false }
        if !damaged.isEmpty {
            page += "<div class=\"banner\" id=\"incomplete-days\"><b>Not complete:</b> "
                + damaged.map { "<a href=\"\($0.directoryName)/report.html\">\($0)</a> (\(dailies[$0]!.status.rawValue))" }.joined(separator: ", ")
                + ". Their counts leave out what could not be read; see each report's damage list.</div>\n"
        }
        page += trends(window: window, dailies: dailies)
        page += "<h2>Top campaigns on \(latest)</h2>\n" + top(days: [latest], before: [latest.adding(days: -1)], dailies: dailies, name: "top-day")
        let week = window.suffix(7), previous = (7..<14).map { latest.adding(days: -Int64($0)) }
        page += "<h2>Top campaigns, \(week.first!) to \(latest)</h2>\n"
            + "<p>Events summed over the daily reports, against the 7 days before. Unique users across days: the range reports below.</p>\n"
            + top(days: Array(week), before: previous, dailies: dailies, name: "top-week")
        page += ranges(digests) + list(dailies.values.sorted { $0.period.from > $1.period.from }) + "</body></html>\n"
        return Array(page.utf8)
    }

    /// One chart per channel seen in the window: events and unique users per day.
    private static func trends(window: [UTCDate], dailies: [UTCDate: ReportDigest]) -> String {
        let digests = window.map { dailies[$0] }
        let channels = Channel.allCases.filter { channel in digests.contains { $0?.channelEvents[channel] != nil } }
        var html = "<h2>Last \(window.count) days by channel</h2>\n"
        guard !channels.isEmpty else { return html + "<p>No events in these days.</p>\n" }
        html += "<div class=\"trends\">"
        let labels = window.map { String($0.description.suffix(5)) }
        let marked = Set(window.indices.filter { digests[$0].map { $0.status != .complete } ?? false })
        for channel in channels {
            let color = ReportHTML.palette[channel]!
            let events = digests.map { digest in digest.flatMap { $0.events == nil ? nil : $0.channelEvents[channel] ?? 0 } }
            // A day read without events in the channel had no users there; one from before channel users has none shown.
            let users = digests.map { digest in
                digest.flatMap { $0.events == nil ? nil : $0.channelUsers[channel] ?? ($0.channelEvents[channel] == nil ? 0 : nil) }
            }
            html += "<figure><figcaption>\(channel.rawValue)</figcaption>" + SVGChart.trend(
                [.init(label: "events", color: color, dashed: false, values: events), .init(label: "unique users", color: "#555", dashed: true, values: users)],
                columnLabels: labels, marked: marked, name: "trend-\(channel.rawValue)", width: 520
            ) + "</figure>"
        }
        return html + "</div>\n"
    }

    /// The campaigns with the most events over `days`, with the change against `before`'s events.
    private static func top(days: [UTCDate], before: [UTCDate], dailies: [UTCDate: ReportDigest], name: String) -> String {
        func totals(_ dates: [UTCDate]) -> [String: (campaign: ReportDigest.Campaign, events: Int)] {
            var result: [String: (campaign: ReportDigest.Campaign, events: Int)] = [:]
            for campaign in dates.compactMap({ dailies[$0] }).flatMap(\.campaigns) {
                result[campaign.id, default: (campaign, 0)].events += campaign.events
            }
            return result
        }
        let current = totals(days), earlier = totals(before)
        // Against nothing when none of the days before has a report that could be read.
        let compared = before.contains { dailies[$0]?.events != nil }
        let ranked = current.values.sorted { ($0.events, $1.campaign.id) > ($1.events, $0.campaign.id) }.prefix(topCampaigns)
        guard !ranked.isEmpty else { return "<p>No campaign events.</p>\n" }
        var html = "<div class=\"wide\"><table id=\"\(name)\"><thead><tr><th>campaign</th><th>channel</th><th>events</th>"
        html += days.count == 1 ? "<th>unique users</th>" : ""
        html += "<th>change</th></tr></thead><tbody>"
        for (campaign, events) in ranked {
            html += "<tr><td>\(HTML.escape(campaign.title))</td><td>\(HTML.escape(campaign.channel))</td><td>\(HTML.number(events))</td>"
            html += days.count == 1 ? "<td>\(HTML.number(campaign.users))</td>" : ""
            html += "<td>\(compared ? change(events, from: earlier[campaign.id]?.events) : "–")</td></tr>"
        }
        return html + "</tbody></table></div>\n"
    }

    private static func change(_ events: Int, from previous: Int?) -> String {
        guard let previous, previous > 0 else { return "new" }
        let rate = Double(events - previous) / Double(previous)
        return "<span class=\"\(rate >= 0 ? "up" : "down")\">\(rate >= 0 ? "+" : "")\(HTML.percent(rate))</span>"
    }

    private static func ranges(_ digests: [ReportDigest]) -> String {
        let ranges = digests.filter { !$0.period.isDay }.sorted { ($0.period.to, $0.period.from) > ($1.period.to, $1.period.from) }
        guard !ranges.isEmpty else { return "" }
        var html = "<h2>Range reports</h2>\n<ul id=\"ranges\">"
        for digest in ranges {
            html += "<li><a href=\"\(digest.directoryName)/report.html\">\(digest.period.from) to \(digest.period.to)</a>\(status(digest))</li>"
        }
        return html + "</ul>\n"
    }

    private static func list(_ dailies: [ReportDigest]) -> String {
        var html = "<h2>Daily reports</h2>\n<div class=\"wide\"><table id=\"days\"><thead><tr><th>date</th><th>status</th><th>events</th></tr></thead><tbody>"
        for digest in dailies {
            html += "<tr class=\"\(digest.status.rawValue)\" data-date=\"\(digest.period.from)\"><td><a href=\"\(digest.directoryName)/report.html\">"
                + "\(digest.period.from)</a></td><td>\(digest.status.rawValue)</td><td>\(digest.events.map(HTML.number) ?? "")</td></tr>"
        }
        return html + "</tbody></table></div>\n"
    }

    private static func status(_ digest: ReportDigest) -> String {
        digest.status == .complete ? "" : " <span class=\"\(digest.status.rawValue)\">\(digest.status.rawValue)</span>"
    }
}
