import Foundation
import Testing

/// A day generated with `generate` and archived with `ingest` (which stores retried bodies twice).
struct GeneratedDay {
    static let date = "2026-11-27"
    static let previousDate = "2026-11-26"
    let directory: TestDirectory
    let events: [NSDictionary]
    var root: String { directory.file("archive") }

    init(events count: Int = 6000, seed: Int = 7, _ name: String = #function) throws {
        directory = TestDirectory(name)
        let bodies = directory.file("day.jsonl")
        let generated = try ProcessRunner.archive(["generate", "--events", "\(count)", "--seed", "\(seed)", "--date", Self.date, "--out", bodies])
        try #require(generated.status == 0, Comment(rawValue: generated.stderr))
        let ingested = try ProcessRunner.archive(["ingest", "--root", directory.file("archive"), "--input", bodies])
        try #require(ingested.status == 0, Comment(rawValue: ingested.stderr))
        events = try Expectations.events(inBodiesFile: bodies)
    }

    func report(_ date: String = Self.date, _ extra: [String] = []) throws -> ProcessRunner.Output {
        try ProcessRunner.archive(["report", "--root", root, "--date", date] + extra)
    }

    func file(_ name: String, date: String = Self.date) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: "\(root)/reports/date=\(date)/\(name)"))
    }

    func json(date: String = Self.date) throws -> NSDictionary {
        try JSONSerialization.jsonObject(with: try file("report.json", date: date)) as! NSDictionary
    }
}

@Suite("daily campaign report")
struct CampaignReportTests {
    @Test("campaign_events.csv equals the report computed independently from the request bodies, retried bodies counted once")
    func campaignEventsMatchTheBodies() throws {
        let day = try GeneratedDay()
        let run = try day.report()
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        let expected = ExpectedReport(events: day.events, date: GeneratedDay.date)
        let written = try day.file("campaign_events.csv")
        #expect(written == Data(expected.campaignEventsCSV))
        let json = try day.json()
        #expect((json["totals"] as! NSDictionary)["duplicates_dropped"] as! Int > 0, "the generated day should hold retried bodies")
        #expect(json["complete"] as? Bool == true)
        #expect(FileManager.default.fileExists(atPath: "\(day.root)/reports/date=\(GeneratedDay.date)/_SUCCESS"))
    }

    @Test("names with commas, quotes and unicode are quoted as RFC 4180 says and read back unchanged")
    func namesAreQuoted() throws {
        let day = try GeneratedDay()
        #expect(try day.report().status == 0)
        let text = String(decoding: try day.file("campaign_events.csv"), as: UTF8.self)
        let records = CSVRecords.parse(text)
        let names = Set(records.dropFirst().map { $0[2] })
        #expect(names.contains { $0.contains(",") } && names.contains { $0.contains("\"") } && names.contains { !$0.allSatisfy(\.isASCII) })
        #expect(records.allSatisfy { $0.count == 9 })
        #expect(text.contains(#""Cart abandon, ""last chance"" \ final""#))
        let rows = (try day.json()["campaign_events"] as! [NSDictionary]).map { [$0["campaign_id"] as! String, $0["campaign_name"] as! String] }
        #expect(rows == records.dropFirst().map { [$0[1], $0[2]] })
    }

    @Test("late events are reported on the day of their event_time, in that day's own report")
    func lateEventsBelongToThePreviousDay() throws {
        let day = try GeneratedDay()
        #expect(try day.report().status == 0)
        #expect(try day.report(GeneratedDay.previousDate).status == 0)
        let expected = ExpectedReport(events: day.events, date: GeneratedDay.previousDate)
        #expect(!expected.groups.isEmpty, "the generated day should hold late events")
        #expect(try day.file("campaign_events.csv", date: GeneratedDay.previousDate) == Data(expected.campaignEventsCSV))
    }

    @Test("campaigns.csv and report.json give each campaign's funnel and rates from unique users")
    func funnelsAndRates() throws {
        let day = try GeneratedDay()
        #expect(try day.report().status == 0)
        let expected = ExpectedReport(events: day.events, date: GeneratedDay.date)
        let stages: [String: [String]] = [
            "sent": ["MOE_EMAIL_SENT", "SMS_SENT", "MOE_CONNECTOR_SENT", "MOE_CARD_SENT", "n_i_s", "NOTIFICATION_RECEIVED_MOE", "NOTIFICATION_RECEIVED_WEB_MOE"],
            "delivered": ["MOE_EMAIL_DELIVERED", "SMS_DELIVERED", "MOE_CARD_DELIVERED", "n_i_s", "NOTIFICATION_RECEIVED_MOE", "NOTIFICATION_RECEIVED_WEB_MOE"],
            "opened": ["MOE_EMAIL_OPEN", "MOE_CARD_VIEWED", "MOE_IN_APP_SHOWN", "MOE_ONSITE_MESSAGE_SHOWN", "n_i_s", "NOTIFICATION_RECEIVED_MOE", "NOTIFICATION_RECEIVED_WEB_MOE"],
            "clicked": ["MOE_EMAIL_CLICK", "NOTIFICATION_CLICKED_MOE", "NOTIFICATION_CLICKED_IOS_MOE", "NOTIFICATION_CLICKED_WEB_MOE", "MOE_CARD_CLICKED", "MOE_IN_APP_CLICKED", "MOE_ONSITE_MESSAGE_CLICKED"],
            "bounced": ["MOE_EMAIL_HARD_BOUNCE"], "unsubscribed": ["MOE_EMAIL_UNSUBSCRIBE"], "control_group": ["MOE_CAMPAIGN_CONTROL_GROUP"],
        ]
        func rate(_ numerator: Int, _ denominator: Int) -> String {
            denominator == 0 ? "" : String(format: "%.4f", (Double(numerator) / Double(denominator) * 10_000).rounded() / 10_000)
        }
        let records = CSVRecords.parse(String(decoding: try day.file("campaigns.csv"), as: UTF8.self))
        let header = records[0]
        let rows = Dictionary(uniqueKeysWithValues: records.dropFirst().map { ($0[1], $0) })
        #expect(Set(rows.keys) == Set(expected.campaigns))
        for campaign in expected.campaigns {
            let row = try #require(rows[campaign])
            func field(_ name: String) -> String { row[header.firstIndex(of: name)!] }
            let users = stages.mapValues { expected.users(of: campaign, codes: $0) }
            for (stage, count) in users { #expect(field("\(stage)_users") == String(count), "\(campaign) \(stage)") }
            #expect(field("delivery_rate") == rate(users["delivered"]!, users["sent"]!))
            #expect(field("open_rate") == rate(users["opened"]!, users["delivered"]!))
            #expect(field("click_through_rate") == rate(users["clicked"]!, users["delivered"]!))
            #expect(field("click_to_open_rate") == rate(users["clicked"]!, users["opened"]!))
            #expect(field("bounce_rate") == rate(users["bounced"]!, users["sent"]!))
            #expect(field("unsubscribe_rate") == rate(users["unsubscribed"]!, users["delivered"]!))
        }
        let json = try day.json()["campaigns"] as! [NSDictionary]
        for campaign in json {
            let row = try #require(rows[campaign["campaign_id"] as! String])
            let sent = (campaign["funnel"] as! NSDictionary)["sent"] as! NSDictionary
            #expect(String(sent["users"] as! Int) == row[header.firstIndex(of: "sent_users")!])
        }
    }

    @Test("variations and locales are broken out for the campaigns that have them")
    func variationsAndLocales() throws {
        let day = try GeneratedDay()
        #expect(try day.report().status == 0)
        let expected = ExpectedReport(events: day.events, date: GeneratedDay.date)
        #expect(!expected.variationEvents.isEmpty)
        let records = CSVRecords.parse(String(decoding: try day.file("campaign_breakdown.csv"), as: UTF8.self))
        let variations = records.dropFirst().filter { $0[3] == "variation" }.map { ([$0[1], $0[4]], Int($0[6])!) }
        #expect(Dictionary(uniqueKeysWithValues: variations) == expected.variationEvents)
        let locales = records.dropFirst().filter { $0[3] == "locale" }
        #expect(!locales.isEmpty && locales.allSatisfy { !$0[5].isEmpty }, "each locale row carries its locale_name")
    }

    @Test("a date with no events gets a complete report with the header only, and exit 0")
    func emptyDate() throws {
        let day = try GeneratedDay(events: 200)
        let run = try day.report("2026-10-01")
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        #expect(try day.file("campaign_events.csv", date: "2026-10-01") == Data(ReportHeader.campaignEvents.utf8))
        let json = try day.json(date: "2026-10-01")
        #expect(json["complete"] as? Bool == true && (json["totals"] as! NSDictionary)["events"] as? Int == 0)
        #expect(run.stderr.contains("0 events"))
    }

    @Test("1 and 2 workers write byte-identical reports, and a re-run rewrites the same bytes")
    func deterministic() throws {
        let day = try GeneratedDay()
        #expect(try day.report(GeneratedDay.date, ["--workers", "1"]).status == 0)
        let one = try ReportFilesSnapshot(day)
        #expect(try day.report(GeneratedDay.date, ["--workers", "2"]).status == 0)
        #expect(try ReportFilesSnapshot(day) == one)
        #expect(try day.report().status == 0)
        #expect(try ReportFilesSnapshot(day) == one)
    }
}

enum ReportHeader {
    static let campaignEvents = "date,campaign_id,campaign_name,campaign_type,campaign_channel,event_code,event_name,events,unique_users\r\n"
}

/// Every file of a day's report directory, by name.
struct ReportFilesSnapshot: Equatable {
    let files: [String: Data]

    init(_ day: GeneratedDay, date: String = GeneratedDay.date) throws {
        let directory = "\(day.root)/reports/date=\(date)"
        files = try Dictionary(uniqueKeysWithValues: FileManager.default.contentsOfDirectory(atPath: directory).map {
            ($0, try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\($0)")))
        })
    }
}
