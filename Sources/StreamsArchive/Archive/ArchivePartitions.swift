/// Every event partition under a root, parsed back from directory names (anything else is ignored).
public enum ArchivePartitions {
    public static func all(layout: ArchiveLayout, date: UTCDate? = nil) throws -> [PartitionKey] {
        var keys: [PartitionKey] = []
        let dates = try date.map { [$0] } ?? Directory.entries(layout.eventsDirectory).compactMap { name in
            name.hasPrefix("date=") ? UTCDate(String(name.dropFirst(5))) : nil
        }
        for date in dates {
            let dateDirectory = "\(layout.eventsDirectory)/date=\(date)"
            for channelName in try Directory.entries(dateDirectory) {
                guard channelName.hasPrefix("channel="), let channel = Channel(rawValue: String(channelName.dropFirst(8))) else { continue }
                for hourName in try Directory.entries("\(dateDirectory)/\(channelName)") {
                    guard hourName.hasPrefix("hour="), hourName.count == 7, let hour = Int(hourName.dropFirst(5)), (0..<24).contains(hour) else {
                        continue
                    }
                    keys.append(PartitionKey(date: date, channel: channel, hour: hour))
                }
            }
        }
        return keys.sorted()
    }
}
