import StreamsArchive

/// One file of a day's partitions, as the batch side reads it.
public struct ScannedFile: Sendable, Equatable {
    public let path: String
    public let partition: PartitionKey
    public let bytes: Int64
    /// Still being written (an in-progress name); read only when asked.
    public let isOpen: Bool
}

/// Finds every file in one date's partitions: `events/date=D/channel=*/hour=*`.
///
/// The partitions are those `ArchivePartitions` parses back into typed keys; anything that is not a partition
/// this project writes (a stray folder, an unknown channel) is skipped rather than trusted.
public enum DayScan {
    public static func files(layout: ArchiveLayout, date: UTCDate, includeOpen: Bool) throws -> [ScannedFile] {
        var result: [ScannedFile] = []
        for partition in try ArchivePartitions.all(layout: layout, date: date) {
            let directory = "\(layout.root)/\(partition.relativePath)"
            for name in try Directory.entries(directory) {
                let isOpen = ArchiveFileName.isInProgress(name)
                guard ArchiveFileName.isFinished(name) || (includeOpen && isOpen) else { continue }
                let path = "\(directory)/\(name)"
                result.append(ScannedFile(path: path, partition: partition, bytes: try POSIXFile.openForReading(path).size(), isOpen: isOpen))
            }
        }
        return result
    }
}
