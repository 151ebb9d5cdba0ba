import StreamsArchive

/// The dates an archive holds: those with raw partitions or with built timelines.
public enum ArchiveDates {
    /// Every date with raw partitions or built timelines, sorted.
    public static func all(layout: ArchiveLayout) throws -> [UTCDate] {
        Set(try ArchivePartitions.dates(in: layout.eventsDirectory) + ArchivePartitions.dates(in: layout.timelinesDirectory)).sorted()
    }
}
