import StreamsArchive

/// The dates an archive holds: those with raw partitions or with built timelines.
public enum ArchiveDates {
    /// Every date with raw partitions or built timelines, sorted.
    public static func all(layout: ArchiveLayout) throws -> [UTCDate] {
        var dates = Set<UTCDate>()
        for directory in [layout.eventsDirectory, layout.timelinesDirectory] {
            dates.formUnion(try Directory.entries(directory).compactMap(UTCDate.init(directoryName:)))
        }
        return dates.sorted()
    }
}
