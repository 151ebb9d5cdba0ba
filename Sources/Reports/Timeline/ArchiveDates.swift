import StreamsArchive

/// The dates an archive holds: those with raw partitions or with built timelines.
public enum ArchiveDates {
    public static func all(layout: ArchiveLayout) throws -> [UTCDate] {
        var dates = Set<UTCDate>()
        for directory in [layout.eventsDirectory, "\(layout.root)/timelines"] {
            for name in try Directory.entries(directory) where name.hasPrefix("date=") {
                if let date = UTCDate(String(name.dropFirst(5))) { dates.insert(date) }
            }
        }
        return dates.sorted()
    }
}
