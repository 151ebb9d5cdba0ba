/// What a partition directory holds now, as seal, verify and retain see it: a listing of one `PartitionKey`.
public struct PartitionContents: Sendable {
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
        path = layout.path(key)
        let names = try Directory.entries(path)
        finished = names.filter(ArchiveFileName.isFinished)
        inProgress = names.filter(ArchiveFileName.isInProgress)
        if let file = try POSIXFile.openForReadingIfExists("\(path)/\(ArchiveFileName.manifest)") {
            manifest = SealManifest.parse(try file.readToEnd())
        } else {
            manifest = nil
        }
        hasSuccess = names.contains(ArchiveFileName.success)
    }

    /// The path of a file in this partition.
    public func path(of name: String) -> String { "\(path)/\(name)" }

    /// No data at all: no finished file and nothing being written (markers may be left over).
    public var isEmpty: Bool { finished.isEmpty && inProgress.isEmpty }

    /// Sealed, and nothing arrived since: exactly the manifest's files, `_SUCCESS`, no writer inside.
    public var isSealed: Bool {
        guard let manifest, hasSuccess, inProgress.isEmpty else { return false }
        return Set(finished) == Set(manifest.files.map(\.name))
    }
}
