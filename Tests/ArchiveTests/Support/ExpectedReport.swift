import Foundation

/// The campaign report computed from request bodies with Foundation, independently of the code under test:
/// its own dedup, grouping, naming rule, byte-order sort and RFC 4180 quoting.
struct ExpectedReport {
    struct Group {
        var events = 0
        var users = Set<[UInt8]>()
        var eventName: (value: String, time: Int, uuid: [UInt8])?
    }

    struct Names {
        var name: (value: String, time: Int, uuid: [UInt8])?
        var type: (value: String, time: Int, uuid: [UInt8])?
        var channel: (value: String, time: Int, uuid: [UInt8])?
    }

    let date: String
    /// (campaign_id, event_code) → counts.
    private(set) var groups: [[String]: Group] = [:]
    private(set) var names: [String: Names] = [:]
    /// campaign_id → users per event code, for funnels.
    private(set) var usersByCode: [String: [String: Set<[UInt8]>]] = [:]
    /// (campaign_id, variation_id) → distinct events.
    private(set) var variationEvents: [[String]: Int] = [:]

    /// Events of a file of bodies or of hand-built ones; copies of an event_uuid after the first are ignored.
    init(events: [NSDictionary], date: String) {
        self.date = date
        var seen = Set<[UInt8]>()
        for event in events {
            let uuid = Array((event["event_uuid"] as! String).utf8)
            guard seen.insert(uuid).inserted, event["event_type"] as? String == "CAMPAIGN_EVENT", Self.day(of: event) == date else { continue }
            add(event, uuid: uuid)
        }
    }

    static func day(of event: NSDictionary) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(event["event_time"] as! Int)))
    }

    private mutating func add(_ event: NSDictionary, uuid: [UInt8]) {
        let attributes = event["event_attributes"] as? NSDictionary ?? [:]
        let campaign = attributes["campaign_id"] as? String ?? ""
        let code = event["event_code"] as! String
        let time = event["event_time"] as! Int
        func newer(_ current: (value: String, time: Int, uuid: [UInt8])?, _ value: Any?) -> (value: String, time: Int, uuid: [UInt8])? {
            guard let value = value as? String else { return current }
            guard let current else { return (value, time, uuid) }
            let later = time != current.time ? time > current.time : current.uuid.lexicographicallyPrecedes(uuid)
            return later ? (value, time, uuid) : current
        }
        var group = groups[[campaign, code]] ?? Group()
        group.events += 1
        if let uid = event["uid"] as? String {
            group.users.insert(Array(uid.utf8))
            usersByCode[campaign, default: [:]][code, default: []].insert(Array(uid.utf8))
        }
        group.eventName = newer(group.eventName, event["event_name"])
        groups[[campaign, code]] = group
        var campaignNames = names[campaign] ?? Names()
        campaignNames.name = newer(campaignNames.name, attributes["campaign_name"])
        campaignNames.type = newer(campaignNames.type, attributes["campaign_type"])
        campaignNames.channel = newer(campaignNames.channel, attributes["campaign_channel"])
        names[campaign] = campaignNames
        if let variation = attributes["variation_id"] as? String { variationEvents[[campaign, variation], default: 0] += 1 }
    }

    /// campaign_events.csv exactly as SPEC.md defines it.
    var campaignEventsCSV: [UInt8] {
        var lines = ["date,campaign_id,campaign_name,campaign_type,campaign_channel,event_code,event_name,events,unique_users"]
        let keys = groups.keys.sorted { Array($0.joined(separator: "\u{0}").utf8).lexicographicallyPrecedes(Array($1.joined(separator: "\u{0}").utf8)) }
        for key in keys {
            let group = groups[key]!, campaign = names[key[0]] ?? Names()
            let fields = [
                date, key[0], campaign.name?.value ?? "", campaign.type?.value ?? "", campaign.channel?.value ?? "", key[1],
                group.eventName?.value ?? "", String(group.events), String(group.users.count),
            ]
            lines.append(fields.map(Self.quote).joined(separator: ","))
        }
        return Array(lines.map { $0 + "\r\n" }.joined().utf8)
    }

    /// Distinct users of `campaign` over a set of event codes.
    func users(of campaign: String, codes: [String]) -> Int {
        codes.reduce(into: Set<[UInt8]>()) { $0.formUnion(usersByCode[campaign]?[$1] ?? []) }.count
    }

    var campaigns: [String] { Array(names.keys) }

    /// RFC 4180 quoting, after OWASP's leading `'` for a cell a spreadsheet would run as a formula.
    static func quote(_ field: String) -> String {
        let field = ["=", "+", "-", "@", "\t", "\r"].contains(where: { field.unicodeScalars.first == $0.unicodeScalars.first }) ? "'" + field : field
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
