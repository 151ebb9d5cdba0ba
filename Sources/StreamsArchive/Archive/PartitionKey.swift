/// Where an event belongs: the UTC date and hour of its `event_time`, and its channel. The archive's one
/// partition identity: it makes its Hive-style directory names and parses them back (`ArchivePartitions`);
/// `ArchiveLayout` turns it into a path, and `ArchiveFileName` names the files inside.
public struct PartitionKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let date: UTCDate
    public let channel: Channel
    public let hour: Int

    public init(date: UTCDate, channel: Channel, hour: Int) {
        precondition((0..<24).contains(hour))
        self.date = date
        self.channel = channel
        self.hour = hour
    }

    /// The partition of an event at `eventTime` (epoch seconds).
    public init(eventTime: Int64, channel: Channel) {
        let date = UTCDate(epochSeconds: eventTime)
        self.init(date: date, channel: channel, hour: Int((eventTime - date.startEpochSeconds) / 3600))
    }

    /// Parses the three directory names of a partition; nil for anything this project does not write.
    public init?(dateName: String, channelName: String, hourName: String) {
        guard let date = UTCDate(directoryName: dateName), let channel = Self.channel(directoryName: channelName),
            hourName.hasPrefix("hour="), hourName.utf8.count == 7,
            hourName.utf8.dropFirst(5).allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let hour = Int(hourName.dropFirst(5)), (0..<24).contains(hour)
        else { return nil }
        self.init(date: date, channel: channel, hour: hour)
    }

    /// The channel a `channel=NAME` directory holds; nil for any other name.
    public static func channel(directoryName name: String) -> Channel? {
        name.hasPrefix("channel=") ? Channel(rawValue: String(name.dropFirst(8))) : nil
    }

    /// `events/date=YYYY-MM-DD/channel=NAME/hour=HH`, built only from typed values.
    public var relativePath: String {
        "events/\(date.directoryName)/channel=\(channel.rawValue)/hour=\(UTCDate.pad(Int64(hour), 2))"
    }

    /// A file of this partition, relative to the root (as journals and retention's intent log record it).
    public func relativePath(of name: String) -> String { "\(relativePath)/\(name)" }

    /// The end of this partition's hour.
    public var hourEndsAt: UTCInstant { date.start + .seconds((hour + 1) * 3600) }

    public var description: String { relativePath }

    public static func < (lhs: PartitionKey, rhs: PartitionKey) -> Bool {
        (lhs.date, lhs.channel, lhs.hour) < (rhs.date, rhs.channel, rhs.hour)
    }
}

/// A directory the durable writer appends to: an event partition, or a day of rejected input.
public struct PartitionDirectory: Hashable, Sendable, CustomStringConvertible {
    public let relativePath: String
    /// When no new data is expected any more (end of the hour or day); idle files close after it.
    public let closesAt: UTCInstant

    /// An hour of events, closing at the end of the hour.
    public static func events(_ key: PartitionKey) -> PartitionDirectory {
        PartitionDirectory(relativePath: key.relativePath, closesAt: key.hourEndsAt)
    }

    /// `rejected/date=YYYY-MM-DD`, by the day the input arrived.
    public static func rejected(_ date: UTCDate) -> PartitionDirectory {
        PartitionDirectory(relativePath: "rejected/\(date.directoryName)", closesAt: date.adding(days: 1).start)
    }

    public var description: String { relativePath }
}
