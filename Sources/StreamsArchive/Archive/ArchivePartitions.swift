/// Every event partition under a root, parsed back from directory names (anything else is ignored).
public enum ArchivePartitions {
    /// The partitions of `date` (or of every date), sorted by date, channel and hour.
    public static func all(layout: ArchiveLayout, date: UTCDate? = nil) throws -> [PartitionKey] {
        var keys: [PartitionKey] = []
        let dateNames = try date.map { [$0.directoryName] } ?? Directory.entries(layout.eventsDirectory)
        for dateName in dateNames {
            guard let date = UTCDate(directoryName: dateName) else { continue }
            let dateDirectory = layout.eventsDirectory(date)
            for channelName in try Directory.entries(dateDirectory) where PartitionKey.channel(directoryName: channelName) != nil {
                for hourName in try Directory.entries("\(dateDirectory)/\(channelName)") {
                    if let key = PartitionKey(dateName: dateName, channelName: channelName, hourName: hourName) { keys.append(key) }
                }
            }
        }
        return Set(keys).sorted()
    }

    /// The dates under `events/` (with raw partitions, or only a retention record left).
    public static func dates(layout: ArchiveLayout) throws -> [UTCDate] {
        try Directory.entries(layout.eventsDirectory).compactMap(UTCDate.init(directoryName:)).sorted()
    }
}
