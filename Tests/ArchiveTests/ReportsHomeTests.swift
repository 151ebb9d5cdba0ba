import Foundation
import Testing

/// reports/index.html, written by every report run, over an archive of three reported days (the middle one
/// with a torn file) and a range over them.
@Suite("reports home page")
struct ReportsHomeTests {
    static let dates = RangeReportTests.dates
    static let range = RangeReportTests.range

    static func reportedDays(_ name: String = #function) throws -> GeneratedDays {
        let days = try GeneratedDays(dates, events: 1500, name)
        let files = days.directory.files(under: "archive/events/date=\(dates[1])") { $0.hasSuffix(".jsonl.gz") }
        try ReportDamageTests.append(Data([0x1F, 0x8B, 0x08, 0x00, 0x00]), to: try #require(files.first))
        for date in dates {
            let run = try ProcessRunner.archive(["report", "--root", days.root, "--date", date])
            #expect(run.status == (date == dates[1] ? 2 : 0), Comment(rawValue: run.stderr))
        }
        #expect(try days.range(dates[0], dates[2]).status == 2)
        return days
    }

    static func home(_ days: GeneratedDays) throws -> String {
        try String(contentsOfFile: "\(days.root)/reports/index.html", encoding: .utf8)
    }

    @Test("index.html links every daily and range report, each link to a page that exists, and no resource of any kind")
    func linksEveryReport() throws {
        let days = try Self.reportedDays()
        let html = try Self.home(days)
        let links = Set(try DocumentationTests.matches(#"href="([^"]*)""#, in: html))
        #expect(links == Set(Self.dates.map { "date=\($0)/report.html" } + ["\(Self.range)/report.html"]))
        for link in links { #expect(FileManager.default.fileExists(atPath: "\(days.root)/reports/\(link)"), "\(link)") }
        for forbidden in ["<script", "src=", "url(", "@import", "<link", "<iframe"] { #expect(!html.contains(forbidden), "\(forbidden)") }
    }

    @Test("the day with damaged input shows as incomplete on the home page: in the banner, in the list, and marked on every trend chart")
    func damagedDayShowsIncomplete() throws {
        let days = try Self.reportedDays()
        let html = try Self.home(days)
        let banner = try #require(html.components(separatedBy: "id=\"incomplete-days\"").dropFirst().first?.components(separatedBy: "</div>").first)
        #expect(banner.contains(Self.dates[1]) && !banner.contains(Self.dates[0]) && !banner.contains(Self.dates[2]))
        #expect(html.contains("<tr class=\"incomplete\" data-date=\"\(Self.dates[1])\">"))
        for date in [Self.dates[0], Self.dates[2]] { #expect(html.contains("<tr class=\"complete\" data-date=\"\(date)\">")) }
        let charts = html.components(separatedBy: "data-chart=\"trend-").count - 1
        #expect(charts > 0 && html.components(separatedBy: "class=\"incomplete-mark\"").count - 1 == charts)
    }

    @Test("a report.json that is not a report's (another shape, counts past 10^15) shows its day as unreadable, and report runs still succeed")
    func unreadableReportJSONIsShown() throws {
        let days = try Self.reportedDays()
        let shapes = [#"{"totals":5}"#, #"{"totals":{"events":9223372036854775807},"channels":[],"campaigns":[]}"#]
        for (date, text) in zip(Self.dates.prefix(2), shapes) {
            try Data(text.utf8).write(to: URL(fileURLWithPath: "\(days.root)/reports/date=\(date)/report.json"))
        }
        let run = try ProcessRunner.archive(["report", "--root", days.root, "--date", Self.dates[2]])
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        let html = try Self.home(days)
        for date in Self.dates.prefix(2) { #expect(html.contains("<tr class=\"unreadable\" data-date=\"\(date)\">"), "\(date)") }
        let banner = try #require(html.components(separatedBy: "id=\"incomplete-days\"").dropFirst().first?.components(separatedBy: "</div>").first)
        #expect(Self.dates.prefix(2).allSatisfy { banner.contains($0) })
    }

    @Test("each channel's trend holds the events and unique users of its days' report.json, and the top campaigns are the latest day's")
    func trendsAreTheDailyFigures() throws {
        let days = try Self.reportedDays()
        let html = try Self.home(days)
        for date in Self.dates {
            for channel in try days.json("date=\(date)")["channels"] as! [NSDictionary] {
                let name = channel["channel"] as! String
                let chart = try #require(html.components(separatedBy: "data-chart=\"trend-\(name)\"").dropFirst().first?.components(separatedBy: "</svg>").first)
                for (label, key) in [("events", "events"), ("unique users", "users")] {
                    let value = (channel[key] as! Int).formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))
                    #expect(chart.contains("<title>\(date.suffix(5)) \(label): \(value)</title>"), "\(name) \(date) \(label)")
                }
            }
        }
        let latest = try days.json("date=\(Self.dates[2])")["campaigns"] as! [NSDictionary]
        let top = latest.max { ($0["events"] as! Int, $1["campaign_id"] as! String) < ($1["events"] as! Int, $0["campaign_id"] as! String) }!
        let table = try #require(html.components(separatedBy: "id=\"top-day\"").dropFirst().first?.components(separatedBy: "</table>").first)
        let firstRow = try #require(table.components(separatedBy: "<tbody><tr>").dropFirst().first)
        let name = [("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\"", "&quot;"), ("'", "&#39;")]
            .reduce(top["campaign_name"] as! String) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
        #expect(firstRow.hasPrefix("<td>\(name)</td>"), Comment(rawValue: firstRow))
    }

    @Test(
        "headless Chromium draws the charts of the home page, a range report and a daily report at 1280 and 390 px, in the channels' colors, and the pages log nothing",
        arguments: ["index.html", "\(range)/report.html", "date=\(dates[2])/report.html"], [1280, 390]
    )
    func rendersInChromium(page: String, width: Int) throws {
        let days = try Self.reportedDays("rendersInChromium-\(page.prefix(6))-\(width)")
        let path = "\(days.root)/reports/\(page)"
        let chromium = try ProcessRunner.which("chromium")
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(days.directory.file("profile"))", "--enable-logging=stderr", "--v=0"]
        // Headless windows are at least 500 px wide: the phone width is a frame of that width.
        let harness = days.directory.file("harness.html")
        try "<!DOCTYPE html><html><body style=\"margin:0\"><iframe src=\"file://\(path)\" style=\"width:\(width)px;height:2400px;border:0\"></iframe></body></html>"
            .write(toFile: harness, atomically: true, encoding: .utf8)
        let dom = try ProcessRunner.run(chromium, common + ["--dump-dom", "file://\(path)"])
        #expect(dom.status == 0, Comment(rawValue: dom.stderr))
        // The home page: events and users of 9 channels on 3 days; a report: bars per channel and day (or hour).
        let (mark, least) = page == "index.html" ? ("class=\"point\"", 2 * 3 * 9) : ("class=\"bar\"", 3 * 9)
        #expect(dom.text.components(separatedBy: mark).count - 1 >= least, "the charts' marks are in the rendered page")
        let shot = days.directory.file("page-\(width).png")
        let screenshot = try ProcessRunner.run(chromium, common + ["--window-size=\(max(width, 500) + 40),2400", "--screenshot=\(shot)", "file://\(harness)"])
        #expect(screenshot.status == 0 && FileManager.default.fileExists(atPath: shot), Comment(rawValue: screenshot.stderr))
        let console = (dom.stderr + screenshot.stderr).split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains(":ERROR:") && $0.contains("file://") }
        #expect(console.isEmpty, "the page logged: \(console)")
        let counts = try ReportPageTests.pixelCounts(of: shot, colors: Array(ReportPageTests.channelColors.values))
        for (channel, color) in ReportPageTests.channelColors { #expect(counts[color, default: 0] > 20, "\(channel) is drawn") }
    }

    @Test("the home page and a range report fit a phone (390 px) and a desktop (1280 px): nothing past the viewport but inside a box that scrolls", arguments: ["index.html", "\(range)/report.html"], [390, 1280])
    func fitsTheViewport(page: String, width: Int) throws {
        let days = try Self.reportedDays("fitsTheViewport-\(page.prefix(5))-\(width)")
        let probe = try ReportPageTests.layout(of: "\(days.root)/reports/\(page)", width: width, in: days.directory)
        #expect(probe["viewport"] as? Int == width)
        #expect(probe["scrollWidth"] as? Int == width, "the page scrolls sideways: \(probe)")
        #expect((probe["overflowing"] as? [String])?.isEmpty == true, "past the viewport: \(probe)")
        #expect((probe["charts"] as? Int ?? 0) >= 4 && (probe["narrowestChart"] as? Int ?? 0) > 0, "charts drawn: \(probe)")
    }
}
