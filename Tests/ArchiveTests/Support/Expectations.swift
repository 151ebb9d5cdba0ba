import Foundation
import StreamsArchive
import Testing

/// What the archive should hold, computed from request bodies with Foundation, independently of the code under test.
enum Expectations {
    static let channelLabels = [
        "Email": "email", "SMS": "sms", "Push": "push", "Connector": "connector", "Cards": "cards",
        "Mobile In-Apps": "inapp", "On-site Messaging": "onsite", "Flows": "flows",
    ]

    static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd'/'HH"
        return formatter
    }()

    /// `events/date=…/channel=…/hour=…` for an event as sent.
    static func partition(of event: NSDictionary) -> String {
        let stamp = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(event["event_time"] as! Int))).split(separator: "/")
        let channel: String
        if event["event_type"] as? String == "USER_ACTION_EVENT" {
            channel = "user_action"
        } else if let label = (event["event_attributes"] as? NSDictionary)?["campaign_channel"] as? String, let known = channelLabels[label] {
            channel = known
        } else {
            channel = EventModelTests.table.first { $0.code == event["event_code"] as? String }?.channel ?? "other"
        }
        return "events/date=\(stamp[0])/channel=\(channel)/hour=\(stamp[1])"
    }

    /// Every event of a file of bodies (one per line).
    /// A report.json or timelines' _INDEX.json without its `inputs` (each file read, with its inode and ctime,
    /// which differ between an archive and its copy): what must be equal between two builds of the same data.
    static func withoutInputs(_ json: Data) throws -> NSDictionary {
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? NSDictionary).mutableCopy() as! NSMutableDictionary
        #expect(object["inputs"] != nil)
        object.removeObject(forKey: "inputs")
        return object
    }

    static func events(inBodiesFile path: String) throws -> [NSDictionary] {
        try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: UInt8(ascii: "\n")).flatMap { line in
            (try JSONSerialization.jsonObject(with: Data(line)) as! NSDictionary)["events"] as! [NSDictionary]
        }
    }

    /// (relative partition directory, parsed line) for every line of every finished file under `root`/events.
    static func stored(root: String) throws -> [(partition: String, line: NSDictionary)] {
        var result: [(String, NSDictionary)] = []
        let directory = TestDirectory.existing(root)
        for file in directory.files(under: "events") where ArchiveFileName.isFinished((file as NSString).lastPathComponent) {
            let relative = String((file as NSString).deletingLastPathComponent.dropFirst(root.count + 1))
            for line in try GzipFileReader(path: file).readAllLines() {
                result.append((relative, try JSONSerialization.jsonObject(with: Data(line)) as! NSDictionary))
            }
        }
        return result
    }
}
