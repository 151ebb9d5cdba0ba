/// File names inside a partition and a date's directory: the one place each is spelled and recognised.
///
/// A file being written is `_inprogress-<writer>-<seq>.jsonl.gz.part`: the leading `_` makes Spark and Hive skip it,
/// and the suffix keeps it out of `*.jsonl.gz` globs (DuckDB, shells). When finished it is renamed to
/// `part-<writer>-<seq>.jsonl.gz`. Writer ids are unique per process, so receivers sharing a root never collide.
public enum ArchiveFileName {
    static let inProgressPrefix = "_inprogress-"
    static let inProgressSuffix = ".jsonl.gz.part"
    static let finishedPrefix = "part-"
    public static let finishedSuffix = ".jsonl.gz"
    static let sealedPrefix = "sealed-"
    static let sealingPrefix = "_sealing-"
    /// The Hadoop-style marker that a directory's output is complete (a sealed hour, a finished report).
    public static let success = "_SUCCESS"
    /// A sealed hour's `SealManifest`.
    public static let manifest = "_MANIFEST.json"
    /// A directory's `ShipRecord`: what of it is confirmed in object storage.
    public static let shipped = "_SHIPPED.json"
    /// The object names a sealed hour's manifest ships under, `_MANIFEST-<sealed file stem>.json`: one per seal, so
    /// a re-sealed hour's new manifest never replaces the old object (objects are created, never overwritten).
    public static let manifestObjectPrefix = "_MANIFEST-"
    /// A date's `RetentionRecord`, in `events/date=D`.
    public static let retained = "_RETAINED.json"

    /// A sealed hour's file, `sealed-<root>-<ms>.jsonl.gz`: named by the root that sealed it and when, so
    /// several roots' sealed files (and manifests) for one hour never share a name in a bucket.
    package static func sealed(root: RootIdentity, at instant: UTCInstant) -> String {
        "\(sealedPrefix)\(root.id)-\(instant.millisecondsSinceEpoch)\(finishedSuffix)"
    }

    /// The root a sealed file's name (or its manifest object's) says sealed it; nil for a name from before
    /// root ids (`sealed-<ms>`) or not a sealed one.
    package static func sealingRoot(of name: String) -> RootIdentity? {
        var stem = Substring(name)
        if stem.hasPrefix(manifestObjectPrefix), stem.hasSuffix(".json") { stem = stem.dropFirst(manifestObjectPrefix.count).dropLast(".json".count) }
        if stem.hasSuffix(finishedSuffix) { stem = stem.dropLast(finishedSuffix.count) }
        guard stem.hasPrefix(sealedPrefix), let dash = stem.lastIndex(of: "-"), dash > stem.index(stem.startIndex, offsetBy: sealedPrefix.count) else { return nil }
        return RootIdentity(String(stem[stem.index(stem.startIndex, offsetBy: sealedPrefix.count)..<dash]))
    }

    /// The name a sealed hour's manifest has in the bucket, after its (first) sealed file.
    public static func manifestObject(forSealed name: String) -> String {
        manifestObjectPrefix + (name.hasSuffix(finishedSuffix) ? String(name.dropLast(finishedSuffix.count)) : name) + ".json"
    }

    /// Whether a finished file is a sealed one (rather than a receiver's `part-` file).
    public static func isSealed(_ name: String) -> Bool { name.hasPrefix(sealedPrefix) && isFinished(name) }

    /// The hidden name seal writes a sealed file under before it is complete.
    static func sealing(process: Int32) -> String { "\(sealingPrefix)\(process)\(inProgressSuffix)" }

    /// A run a seal over its memory budget spilled (`SpillRun`): hidden, and removed by recovery as `isSealing`.
    static func sealingRun(process: Int32, index: Int) -> String { "\(sealingPrefix)\(process)-run\(index).part" }

    static func isSealing(_ name: String) -> Bool { name.hasPrefix(sealingPrefix) }

    /// The name a writer's file has while it is written.
    public static func inProgress(writer: String, sequence: Int) -> String {
        "\(inProgressPrefix)\(writer)-\(UTCDate.pad(Int64(sequence), 6))\(inProgressSuffix)"
    }

    /// The name the same file has once finished.
    public static func finished(writer: String, sequence: Int) -> String {
        "\(finishedPrefix)\(writer)-\(UTCDate.pad(Int64(sequence), 6))\(finishedSuffix)"
    }

    /// True for a writer's file that is still being written.
    public static func isInProgress(_ name: String) -> Bool {
        name.hasPrefix(inProgressPrefix) && name.hasSuffix(inProgressSuffix)
    }

    /// True for files readers take as finished data.
    public static func isFinished(_ name: String) -> Bool {
        name.hasSuffix(finishedSuffix) && !name.hasPrefix("_") && !name.hasPrefix(".")
    }

    /// The finished name for an in-progress name.
    public static func finishedName(forInProgress name: String) -> String {
        finishedPrefix + name.dropFirst(inProgressPrefix.count).dropLast(inProgressSuffix.count) + finishedSuffix
    }

    /// The finished path for an in-progress file's path (same directory).
    public static func finishedPath(forInProgress path: String) -> String {
        Directory.parentPath(of: path) + "/" + finishedName(forInProgress: Directory.fileName(of: path))
    }

    /// The writer id inside an in-progress name (`<writer>-<seq>`).
    static func writer(ofInProgress name: String) -> String? {
        let core = name.dropFirst(inProgressPrefix.count).dropLast(inProgressSuffix.count)
        guard let dash = core.lastIndex(of: "-") else { return nil }
        return String(core[..<dash])
    }
}
