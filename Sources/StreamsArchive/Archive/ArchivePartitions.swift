/// Every event partition under a root, parsed back from directory names (anything else is ignored).
public enum ArchivePartitions {
    /// The partitions of `date` (or of every date), sorted by date, channel and hour.
    public static func all(layout: ArchiveLayout, date: UTCDate? = nil) throws -> [PartitionKey] {
        var keys: [PartitionKey] = []
        for date in try date.map({ [$0] }) ?? dates(in: layout.eventsDirectory) {
            let dateDirectory = layout.eventsDirectory(date)
            for channelName in try Directory.entries(dateDirectory) where PartitionKey.channel(directoryName: channelName) != nil {
                for hourName in try Directory.entries("\(dateDirectory)/\(channelName)") {
                    if let key = PartitionKey(dateName: date.directoryName, channelName: channelName, hourName: hourName) { keys.append(key) }
                }
            }
        }
        // Names parse back one way (two ASCII digits an hour), so no key can come from two directories.
        return keys.sorted()
    }

    /// The dates of the Hive `date=` directories in `directory` (`events/`, where a date may hold only a
    /// retention record; `rejected/`; `timelines/`), sorted; other names are ignored.
    public static func dates(in directory: String) throws -> [UTCDate] {
        try Directory.entries(directory).compactMap(UTCDate.init(directoryName:)).sorted()
    }
}
