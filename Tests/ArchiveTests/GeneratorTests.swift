import Foundation
import StreamsArchive
import Testing

@Suite("generate: realistic Streams traffic")
struct GeneratorTests {
    /// One generated day, parsed with Foundation.
    struct Day {
        var bodies: [Data] = []
        var events: [NSDictionary] = []
        var batchSizes: [Int] = []
    }

    static func generate(events: Int, seed: UInt64, shape: String = "typical", in directory: TestDirectory) throws -> (path: String, day: Day) {
        let path = directory.file("day-\(seed)-\(shape).jsonl")
        let output = try ProcessRunner.archive(
            ["generate", "--events", "\(events)", "--date", "2026-03-14", "--seed", "\(seed)", "--shape", shape, "--out", path]
        )
        precondition(output.status == 0, output.stderr)
        var day = Day()
        for line in try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: UInt8(ascii: "\n")) {
            let body = try JSONSerialization.jsonObject(with: Data(line)) as! NSDictionary
            let events = body["events"] as! [NSDictionary]
            day.bodies.append(Data(line))
            day.batchSizes.append(events.count)
            day.events += events
        }
        return (path, day)
    }

    @Test("the same seed gives the same bytes, and another seed different ones")
    func outputIsDeterministic() throws {
        let directory = TestDirectory()
        let first = try Self.generate(events: 3000, seed: 42, in: directory).path
        let again = directory.file("again.jsonl")
        try ProcessRunner.archive(["generate", "--events", "3000", "--date", "2026-03-14", "--seed", "42", "--out", again])
        let other = try Self.generate(events: 3000, seed: 43, in: directory).path
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == Data(contentsOf: URL(fileURLWithPath: again)))
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) != Data(contentsOf: URL(fileURLWithPath: other)))
    }

    @Test("a day holds all 33 event codes, user actions, and exactly the requested distinct events")
    func holdsEveryCodeAndUserActions() throws {
        let (_, day) = try Self.generate(events: 20_000, seed: 1, in: TestDirectory())
        let codes = Set(day.events.map { $0["event_code"] as! String })
        #expect(codes.isSuperset(of: EventModelTests.table.map(\.code)))
        #expect(day.events.contains { $0["event_type"] as? String == "USER_ACTION_EVENT" })
        #expect(Set(day.events.map { $0["event_uuid"] as! String }).count == 20_000)
        #expect(day.bodies.allSatisfy { body in
            let envelope = try! JSONSerialization.jsonObject(with: body) as! NSDictionary
            return envelope["source"] as? String == "MOENGAGE" && envelope["app_name"] is String && envelope["moe_request_id"] is String
        })
    }

    @Test("funnels are believable: sent ≥ delivered ≥ opened ≥ clicked, with bounces and unsubscribes, and every open follows a send")
    func funnelsAreBelievable() throws {
        let (_, day) = try Self.generate(events: 20_000, seed: 2, in: TestDirectory())
        var unique: [String: NSDictionary] = [:]
        for event in day.events { unique[event["event_uuid"] as! String] = event }
        func count(_ code: String) -> Int { unique.values.filter { $0["event_code"] as? String == code }.count }
        let sent = count("MOE_EMAIL_SENT")
        let delivered = count("MOE_EMAIL_DELIVERED")
        let opened = count("MOE_EMAIL_OPEN")
        let clicked = count("MOE_EMAIL_CLICK")
        #expect(sent >= delivered && delivered > opened && opened > clicked && clicked > 0, "\(sent) \(delivered) \(opened) \(clicked)")
        #expect(count("MOE_EMAIL_HARD_BOUNCE") + count("MOE_EMAIL_SOFT_BOUNCE") > 0)
        #expect(count("MOE_EMAIL_UNSUBSCRIBE") > 0)
        let rate = Double(opened) / Double(delivered)
        #expect(rate > 0.1 && rate < 0.5, "open rate \(rate)")

        var firstSend: [String: Int] = [:]
        for event in unique.values where event["event_code"] as? String == "MOE_EMAIL_SENT" {
            let key = "\(event["uid"]!)|\((event["event_attributes"] as! NSDictionary)["campaign_id"]!)"
            firstSend[key] = min(firstSend[key] ?? .max, event["event_time"] as! Int)
        }
        for event in unique.values where event["event_code"] as? String == "MOE_EMAIL_OPEN" {
            let key = "\(event["uid"]!)|\((event["event_attributes"] as! NSDictionary)["campaign_id"]!)"
            let time = event["event_time"] as! Int
            #expect((firstSend[key] ?? .max) <= time || time < 1_773_446_400, "an open without an earlier send: \(key)")
        }
    }

    @Test("campaigns carry variations, locales and parent flows; users carry attributes and devices")
    func campaignsAndUsersAreRich() throws {
        let (_, day) = try Self.generate(events: 20_000, seed: 3, in: TestDirectory())
        let attributes = day.events.compactMap { $0["event_attributes"] as? NSDictionary }
        for key in ["variation_id", "locale_id", "locale_name", "parent_campaign_id", "parent_flow_id", "parent_flow_name"] {
            #expect(attributes.contains { $0[key] != nil }, "\(key)")
        }
        #expect(day.events.allSatisfy { ($0["user_attributes"] as? NSDictionary)?["moengage_user_id"] is String })
        #expect(day.events.allSatisfy { ($0["device_attributes"] as? NSDictionary)?["moengage_device_id"] is String })
        #expect(Set(day.events.map { $0["uid"] as! String }).count > 100)
        let channels = Set(attributes.compactMap { $0["campaign_channel"] as? String })
        #expect(channels == ["Email", "SMS", "Push", "Connector", "Cards", "Mobile In-Apps", "On-site Messaging", "Flows"])
    }

    @Test("batches hold 1 to 100 events, about 2% of bodies are retries, and a few events are late from the day before")
    func batchesRetriesAndLateEvents() throws {
        let (_, day) = try Self.generate(events: 50_000, seed: 4, in: TestDirectory())
        #expect(day.batchSizes.allSatisfy { (1...100).contains($0) })
        #expect(day.batchSizes.contains(100) && day.batchSizes.contains { $0 < 50 })
        var seen = Set<Data>()
        let retries = day.bodies.filter { !seen.insert($0).inserted }.count
        let share = Double(retries) / Double(day.bodies.count)
        #expect(share > 0.005 && share < 0.05, "retried share \(share)")
        let dayStart = 1_773_446_400
        let late = Set(day.events.filter { ($0["event_time"] as! Int) < dayStart }.map { $0["event_uuid"] as! String })
        #expect(late.count >= 2 && late.count < 500, "\(late.count) late events")
        #expect(day.events.allSatisfy { ($0["event_time"] as! Int) >= dayStart - 86_400 && ($0["event_time"] as! Int) < dayStart + 86_400 })
    }

    @Test("names carry unicode, quotes, commas and backslashes")
    func namesNeedQuotingAndEscaping() throws {
        let (_, day) = try Self.generate(events: 5000, seed: 5, in: TestDirectory())
        let names = Set(day.events.compactMap { ($0["event_attributes"] as? NSDictionary)?["campaign_name"] as? String })
        #expect(names.contains { $0.contains(",") })
        #expect(names.contains { $0.contains("\"") })
        #expect(names.contains { $0.contains("\\") })
        #expect(names.contains { $0.unicodeScalars.contains { $0.value > 0x7F } })
        #expect(day.events.contains { ($0["uid"] as! String).unicodeScalars.contains { $0.value > 0x7F } })
    }

    @Test("--shape busy-hour: every distinct event a push campaign's, between 12:00 and 13:00")
    func busyHourShape() throws {
        let day = try Self.generate(events: 2000, seed: 5, shape: "busy-hour", in: TestDirectory()).day
        let distinct = Dictionary(day.events.map { ($0["event_uuid"] as! String, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(distinct.count == 2000)
        let noon = 1_773_446_400 + 12 * 3600  // 2026-03-14T12:00:00Z
        #expect(distinct.values.allSatisfy { ($0["event_time"] as! Int) >= noon && ($0["event_time"] as! Int) < noon + 3600 })
        #expect(distinct.values.allSatisfy { ($0["event_attributes"] as! NSDictionary)["campaign_channel"] as? String == "Push" })
    }

    @Test("--shape one-campaign: one email campaign, as many distinct users as events, over exactly five event codes")
    func oneCampaignShape() throws {
        let day = try Self.generate(events: 5000, seed: 5, shape: "one-campaign", in: TestDirectory()).day
        let distinct = Dictionary(day.events.map { ($0["event_uuid"] as! String, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(distinct.count == 5000)
        #expect(Set(distinct.values.map { $0["uid"] as! String }).count == 5000)
        #expect(Set(distinct.values.map { ($0["event_attributes"] as! NSDictionary)["campaign_id"] as! String }).count == 1)
        #expect(Set(distinct.values.map { $0["event_code"] as! String }).count == 5)
    }
}
