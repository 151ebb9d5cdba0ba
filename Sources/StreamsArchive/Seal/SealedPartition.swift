/// What a partition directory holds, as seal, verify and retain see it.
public struct SealedPartition: Sendable {
    public let key: PartitionKey
    public let path: String
    /// Finished data files (`*.jsonl.gz` not starting with `_` or `.`).
    public let finished: [String]
    /// Files still being written by a receiver.
    public let inProgress: [String]
    /// The manifest, if there is a readable one.
    public let manifest: SealManifest?
    public let hasSuccess: Bool

    public init(key: PartitionKey, layout: ArchiveLayout) throws {
        self.key = key
        path = "\(layout.root)/\(key.relativePath)"
        let names = try Directory.entries(path)
        finished = names.filter(ArchiveFileName.isFinished)
        inProgress = names.filter(ArchiveFileName.isInProgress)
        if let file = try POSIXFile.openForReadingIfExists("\(path)/\(SealManifest.fileName)") {
            manifest = SealManifest.parse(try file.readToEnd())
        } else {
            manifest = nil
        }
        hasSuccess = names.contains(SealManifest.successName)
    }

    /// Sealed, and nothing arrived since: exactly the manifest's files, `_SUCCESS`, no writer inside.
    public var isSealed: Bool {
        guard let manifest, hasSuccess, inProgress.isEmpty else { return false }
        return Set(finished) == Set(manifest.files.map(\.name))
    }
}

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
