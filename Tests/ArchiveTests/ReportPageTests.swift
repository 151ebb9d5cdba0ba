import Foundation
import Testing

@Suite("report.html in a real browser")
struct ReportPageTests {
    /// The palette colors of the channels in every generated day, as they must appear on screen.
    static let channelColors = ["email": "4e79a7", "sms": "f28e2b", "push": "e15759", "user_action": "9c755f"]

    @Test("report.html is self-contained: no script, no external resource of any kind, one link: to the reports' home page")
    func selfContained() throws {
        let day = try GeneratedDay(events: 2000)
        #expect(try day.report().status == 0)
        let html = String(decoding: try day.file("report.html"), as: UTF8.self)
        for forbidden in ["<script", "src=", "url(", "@import", "<link", "<iframe"] { #expect(!html.contains(forbidden), "\(forbidden)") }
        #expect(try DocumentationTests.matches(#"href="([^"]*)""#, in: html) == ["../index.html"])
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

    @Test("report.html fits the width of a phone (390 px) and of a desktop (1280 px): nothing reaches past the viewport but inside a box that scrolls", arguments: [390, 1280])
    func fitsTheViewport(width: Int) throws {
        let day = try GeneratedDay(events: 3000)
        #expect(try day.report().status == 0)
        let probe = try Self.layout(of: "\(day.root)/reports/date=\(GeneratedDay.date)/report.html", width: width, in: day.directory)
        #expect(probe["viewport"] as? Int == width)
        #expect(probe["scrollWidth"] as? Int == width, "the page scrolls sideways: \(probe)")
        #expect((probe["overflowing"] as? [String])?.isEmpty == true, "past the viewport: \(probe)")
        #expect((probe["charts"] as? Int ?? 0) >= 4 && (probe["narrowestChart"] as? Int ?? 0) > 0, "charts drawn: \(probe)")
    }

    /// The page's layout at `width` px in headless Chromium, measured in the page: a copy of it (its CSP, which
    /// forbids scripts, taken out) with a script at the end of its body that reports the viewport, the page's
    /// scroll width, every element whose right edge is past the viewport and that no scrolling box holds, and
    /// the charts' widths. Headless windows are at least 500 px wide, so the copy is shown in a frame `width`
    /// px wide (its own viewport: its media queries apply), which posts the report to the harness page; read
    /// back from `--dump-dom`.
    static func layout(of page: String, width: Int, in directory: TestDirectory) throws -> [String: Any] {
        let probe = """
            <script>
            const w = document.documentElement.clientWidth, out = [];
            for (const e of document.querySelectorAll('body *')) {
              if (e.getBoundingClientRect().right <= w + 0.5) continue;
              let p = e.parentElement, held = false;
              while (p) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') { held = true; break } p = p.parentElement }
              if (!held) out.push(e.tagName + '.' + e.className.baseVal + e.className + ' right ' + Math.round(e.getBoundingClientRect().right));
            }
            const charts = [...document.querySelectorAll('svg.chart')].map(c => Math.round(c.getBoundingClientRect().width));
            parent.postMessage(btoa(JSON.stringify({viewport: w, scrollWidth: document.documentElement.scrollWidth, overflowing: out.slice(0, 20),
              charts: charts.length, narrowestChart: Math.min(...charts)})), '*');
            </script>
            """
        let html = try String(contentsOfFile: page, encoding: .utf8)
            .split(separator: "\n").filter { !$0.contains("Content-Security-Policy") }.joined(separator: "\n")
            .replacingOccurrences(of: "</body>", with: probe + "</body>")
        let copy = directory.file("probe-\(width).html")
        try html.write(toFile: copy, atomically: true, encoding: .utf8)
        let harness = directory.file("harness-\(width).html")
        try """
            <!DOCTYPE html><html><body style="margin:0">
            <script>addEventListener('message', e => { const p = document.createElement('pre'); p.id = 'probe'; p.textContent = e.data; document.body.appendChild(p) })</script>
            <iframe src="probe-\(width).html" style="width:\(width)px;height:2000px;border:0"></iframe>
            </body></html>
            """.write(toFile: harness, atomically: true, encoding: .utf8)
        let chromium = try ProcessRunner.which("chromium")
        let dom = try ProcessRunner.run(
            chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(directory.file("profile-\(width)"))", "--window-size=\(width + 100),2100", "--virtual-time-budget=5000", "--dump-dom", "file://\(harness)"]
        )
        try #require(dom.status == 0, Comment(rawValue: dom.stderr))
        let encoded = try #require(dom.text.components(separatedBy: "<pre id=\"probe\">").dropFirst().first?.components(separatedBy: "</pre>").first)
        let json = try #require(Data(base64Encoded: encoded))
        return try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
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
