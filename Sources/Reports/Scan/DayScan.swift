import StreamsArchive

/// One file of a day's partitions, as the batch side reads it.
public struct ScannedFile: Sendable, Equatable {
    public let path: String
    public let partition: PartitionKey
    /// Size, inode and ctime: what the nightly run compares to tell whether an input changed since.
    public let stamp: FileStamp
    public var bytes: Int64 { stamp.bytes }
    /// Still being written (an in-progress name); read only when asked.
    public let isOpen: Bool
    /// Checked by seal: listed in its hour's manifest under `_SUCCESS`, at the size the manifest records, by a
    /// seal that applied `StoredLine` (manifest `line_rule`). Readers check every line of any other file.
    public let isSealed: Bool
}

/// Finds every file in one date's partitions: `events/date=D/channel=*/hour=*`.
///
/// The partitions are those `ArchivePartitions` parses back into typed keys; anything that is not a partition
/// this project writes (a stray folder, an unknown channel) is skipped rather than trusted. Each hour is listed
/// under a shared `PartitionLock`, so a seal running at the same time is seen wholly before or wholly after.
public enum DayScan {
    /// Calls `body` with the day's files while holding every hour's shared lock, so no seal can replace them
    /// before `body` has read them. An hour removed meanwhile (retention) is skipped.
    public static func withFiles<T>(layout: ArchiveLayout, date: UTCDate, includeOpen: Bool, _ body: ([ScannedFile]) throws -> T) throws -> T {
        try withFiles(layout: layout, partitions: try ArchivePartitions.all(layout: layout, date: date), includeOpen: includeOpen, body)
    }

    /// `withFiles` over any hours, of one date or several: every hour is locked until `body` returns (one
    /// descriptor an hour: `RangeScan` groups a long range's hours to fit the limit).
    static func withFiles<T>(layout: ArchiveLayout, partitions: [PartitionKey], includeOpen: Bool, _ body: ([ScannedFile]) throws -> T) throws -> T {
        var locks: [PartitionLock] = []
        var result: [ScannedFile] = []
        for partition in partitions {
            guard let lock = try PartitionLock.shared(layout.path(partition)) else { continue }
            locks.append(lock)
            let contents = try PartitionContents(key: partition, layout: layout)
            var checkedSizes: [String: Int64] = [:]
            if contents.hasSuccess, let manifest = contents.manifest, manifest.lineRule >= StoredLine.ruleVersion {
                for file in manifest.files { checkedSizes[file.name] = file.bytes }
            }
            for name in contents.finished + (includeOpen ? contents.inProgress : []) {
                let path = contents.path(of: name)
                let stamp = try POSIXFile.openForReading(path).stamp()
                result.append(
                    ScannedFile(
                        path: path, partition: partition, stamp: stamp, isOpen: ArchiveFileName.isInProgress(name),
                        isSealed: checkedSizes[name] == stamp.bytes
                    )
                )
            }
        }
        return try withExtendedLifetime(locks) { try body(result) }
    }

    /// The day's files as they are now (a consistent listing of each hour; nothing is read).
    public static func files(layout: ArchiveLayout, date: UTCDate, includeOpen: Bool) throws -> [ScannedFile] {
        try withFiles(layout: layout, date: date, includeOpen: includeOpen) { $0 }
    }
}
