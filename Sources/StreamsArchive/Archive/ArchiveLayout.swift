/// The archive's directory tree under its root, as SPEC.md lays it out: the one place a path is made.
///
/// Every path under the root comes from here, built from typed values (`PartitionKey`, `UTCDate`); names of the
/// files inside a directory come from `ArchiveFileName`. Nothing here touches the filesystem.
public struct ArchiveLayout: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    public var eventsDirectory: String { "\(root)/events" }
    public var rejectedDirectory: String { "\(root)/rejected" }
    public var reportsDirectory: String { "\(root)/reports" }
    public var timelinesDirectory: String { "\(root)/timelines" }
    /// Where each live writer keeps its lock and the journal of files it opened, for crash recovery.
    public var writersDirectory: String { "\(root)/_writers" }

    /// `events/date=D`: every channel and hour of one date, and its `_RETAINED.json`.
    public func eventsDirectory(_ date: UTCDate) -> String { "\(eventsDirectory)/\(date.directoryName)" }
    /// An hour's partition directory.
    public func path(_ key: PartitionKey) -> String { "\(root)/\(key.relativePath)" }
    /// A directory the writer appends to.
    public func path(_ directory: PartitionDirectory) -> String { "\(root)/\(directory.relativePath)" }
    /// A file inside an hour's partition, by the name `ArchiveFileName` gives it.
    public func path(_ key: PartitionKey, file name: String) -> String { "\(path(key))/\(name)" }
    /// A path recorded relative to the root (journals, retention's intent log) made absolute again.
    public func path(relative: String) -> String { "\(root)/\(relative)" }
    /// `events/date=D/_RETAINED.json`.
    public func retentionRecord(_ date: UTCDate) -> String { "\(eventsDirectory(date))/\(ArchiveFileName.retained)" }
    /// `rejected/date=D`: input refused on that day.
    public func rejectedDirectory(_ date: UTCDate) -> String { "\(rejectedDirectory)/\(date.directoryName)" }
    /// `reports/date=D`.
    public func reportDirectory(_ date: UTCDate) -> String { "\(reportsDirectory)/\(date.directoryName)" }
    /// `reports/range=D1_D2`: the report over the dates from D1 to D2, both included.
    public func rangeReportDirectory(from: UTCDate, to: UTCDate) -> String { "\(reportsDirectory)/range=\(from)_\(to)" }
    /// `reports/index.html`: the home page over every report.
    public var reportsHomePage: String { "\(reportsDirectory)/index.html" }
    /// `timelines/date=D`: a symlink to the published version.
    public func timelineDirectory(_ date: UTCDate) -> String { "\(timelinesDirectory)/\(date.directoryName)" }
    /// `_metrics`: the nightly job's Prometheus textfile, for node_exporter's textfile collector.
    public var metricsDirectory: String { "\(root)/_metrics" }
    /// A lock file at the root (`_seal.lock`, `_nightly.lock`).
    public func lock(_ name: String) -> String { "\(root)/\(name)" }
}
