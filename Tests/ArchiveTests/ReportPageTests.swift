import Foundation
import Testing

@Suite("report.html in a real browser")
struct ReportPageTests {
    /// The palette colors of the channels in every generated day, as they must appear on screen.
    static let channelColors = ["email": "4e79a7", "sms": "f28e2b", "push": "e15759", "user_action": "9c755f"]

    @Test("report.html is self-contained: no script, no external resource of any kind")
    func selfContained() throws {
        let day = try GeneratedDay(events: 2000)
        #expect(try day.report().status == 0)
        let html = String(decoding: try day.file("report.html"), as: UTF8.self)
        for forbidden in ["<script", "src=", "href=", "url(", "@import", "<link", "<iframe"] { #expect(!html.contains(forbidden), "\(forbidden)") }
        #expect(html.contains("Content-Security-Policy"))
    }

    @Test("headless Chromium renders the charts of report.html, in their colors, and the page logs no errors")
    func rendersInChromium() throws {
        let day = try GeneratedDay(events: 3000)
        #expect(try day.report().status == 0)
        let page = "file://\(day.root)/reports/date=\(GeneratedDay.date)/report.html"
        let chromium = try ProcessRunner.which("chromium")
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(day.directory.file("profile"))", "--enable-logging=stderr", "--v=0"]

        let dom = try ProcessRunner.run(chromium, common + ["--dump-dom", page])
        #expect(dom.status == 0, Comment(rawValue: dom.stderr))
        for chart in ["channels", "hours", "top-campaigns", "funnel"] { #expect(dom.text.contains("data-chart=\"\(chart)\""), "\(chart)") }
        #expect(dom.text.components(separatedBy: "class=\"bar\"").count > 50)

        let shot = day.directory.file("report.png")
        let screenshot = try ProcessRunner.run(chromium, common + ["--window-size=1200,2400", "--screenshot=\(shot)", page])
        #expect(screenshot.status == 0 && FileManager.default.fileExists(atPath: shot), Comment(rawValue: screenshot.stderr))
        let console = (dom.stderr + screenshot.stderr).split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains(":ERROR:") && $0.contains("file://") }
        #expect(console.isEmpty, "the page logged: \(console)")

        let counts = try Self.pixelCounts(of: shot, colors: Array(Self.channelColors.values))
        for (channel, color) in Self.channelColors { #expect(counts[color, default: 0] > 500, "\(channel) bars are drawn") }
    }

    /// Pixels of each exact RGB color in a PNG, counted with Pillow.
    static func pixelCounts(of png: String, colors: [String]) throws -> [String: Int] {
        let script = """
            import sys, json
            from PIL import Image
            image = Image.open(sys.argv[1]).convert("RGB")
            wanted = {tuple(int(c[i:i + 2], 16) for i in (0, 2, 4)): c for c in sys.argv[2:]}
            counts = {c: 0 for c in sys.argv[2:]}
            for count, rgb in image.getcolors(maxcolors=1 << 24):
                if rgb in wanted: counts[wanted[rgb]] += count
            print(json.dumps(counts))
            """
        let output = try ProcessRunner.run("python3", ["-c", script, png] + colors)
        try #require(output.status == 0, Comment(rawValue: output.stderr))
        return try JSONSerialization.jsonObject(with: output.stdout) as! [String: Int]
    }
}
