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
/// Directory names are parsed back into typed keys; anything that is not a partition this project writes
/// (a stray folder, an unknown channel) is skipped rather than trusted.
public enum DayScan {
    public static func files(layout: ArchiveLayout, date: UTCDate, includeOpen: Bool) throws -> [ScannedFile] {
        let dateDirectory = "\(layout.eventsDirectory)/date=\(date)"
        var result: [ScannedFile] = []
        for channelName in try Directory.entries(dateDirectory) {
            guard channelName.hasPrefix("channel="), let channel = Channel(rawValue: String(channelName.dropFirst(8))) else { continue }
            for hourName in try Directory.entries("\(dateDirectory)/\(channelName)") {
                guard hourName.hasPrefix("hour="), hourName.count == 7, let hour = Int(hourName.dropFirst(5)), (0..<24).contains(hour) else {
                    continue
                }
                let hourDirectory = "\(dateDirectory)/\(channelName)/\(hourName)"
                for name in try Directory.entries(hourDirectory) {
                    let isOpen = ArchiveFileName.isInProgress(name)
                    guard ArchiveFileName.isFinished(name) || (includeOpen && isOpen) else { continue }
                    let path = "\(hourDirectory)/\(name)"
                    result.append(
                        ScannedFile(
                            path: path, partition: PartitionKey(date: date, channel: channel, hour: hour),
                            bytes: try POSIXFile.openForReading(path).size(), isOpen: isOpen
                        )
                    )
                }
            }
        }
        return result
    }
}
