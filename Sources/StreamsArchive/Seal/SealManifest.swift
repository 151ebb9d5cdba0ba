/// `_MANIFEST.json` of a sealed hour: what the sealed file holds and how to check it, and what it replaced.
///
/// It is written (atomically, fsynced) before the sealed file gets its visible name, so it doubles as the
/// seal's intent log: a seal that died half-way is finished or undone from it by the next run.
public struct SealManifest: Sendable, Equatable {
    /// Removes an hour's `_SUCCESS`, manifest and the manifests a combined one names (absent is fine): what
    /// describes data that is going or gone.
    static func removeMarkers(in partition: String) throws(StorageError) {
        for name in [ArchiveFileName.success, ArchiveFileName.manifest] { try Directory.removeFile("\(partition)/\(name)") }
        try removeCombined(in: partition)
    }

    /// Removes the copies of other roots' manifests a restored hour keeps (`_MANIFEST-*.json`): once the hour
    /// is re-sealed or goes, they describe nothing here.
    static func removeCombined(in partition: String) throws(StorageError) {
        for name in try Directory.entries(partition) where name.hasPrefix(ArchiveFileName.manifestObjectPrefix) {
            try Directory.removeFile("\(partition)/\(name)")
        }
    }
    public static let formatVersion = 1

    /// A sealed file: its size, checksum, event count and event-time range.
    public struct File: Sendable, Equatable {
        public let name: String
        public let bytes: Int64
        public let sha256: String
        public let events: Int
        public let minEventTime: Int64
        public let maxEventTime: Int64
    }

    /// A file the seal replaced, as it was.
    public struct Source: Sendable, Equatable {
        public let name: String
        public let bytes: Int64
    }

    public let partition: String
    public let sealedAt: UTCInstant
    public let files: [File]
    public let sources: [Source]
    public let duplicatesDropped: Int
    /// The `StoredLine.ruleVersion` seal checked every line against; 0 for a manifest written before the rule
    /// existed (its lines were checked less strictly, so readers check them again).
    public var lineRule: Int = StoredLine.ruleVersion
    /// For an hour restored from a bucket that several roots ship into: the manifest objects (`_MANIFEST-*.json`,
    /// kept beside this one with their bytes unchanged) whose files this one lists together. Empty for an hour
    /// this root sealed.
    public var combines: [String] = []

    package init(partition: String, sealedAt: UTCInstant, files: [File], sources: [Source], duplicatesDropped: Int) {
        self.partition = partition
        self.sealedAt = sealedAt
        self.files = files
        self.sources = sources
        self.duplicatesDropped = duplicatesDropped
    }

    /// The manifest as JSON, as written to disk.
    public func render() -> [UInt8] {
        var json = JSONBuilder(capacity: 1024 + sources.count * 100)
        json.beginObject()
        json.number("format_version", Self.formatVersion)
        json.string("partition", partition)
        json.number("sealed_at", sealedAt.millisecondsSinceEpoch)
        json.beginArray("files")
        for file in files {
            json.beginObject()
            json.string("name", file.name)
            json.number("bytes", file.bytes)
            json.string("sha256", file.sha256)
            json.number("events", file.events)
            json.number("min_event_time", file.minEventTime)
            json.number("max_event_time", file.maxEventTime)
            json.endObject()
        }
        json.endArray()
        json.number("duplicates_dropped", duplicatesDropped)
        json.number("line_rule", lineRule)
        if !combines.isEmpty {
            json.beginArray("combines")
            for name in combines { json.string(nil, name) }
            json.endArray()
        }
        json.beginArray("sources")
        for source in sources {
            json.beginObject()
            json.string("name", source.name)
            json.number("bytes", source.bytes)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.raw(nil, "\n")
        return json.bytes
    }

    /// Parses a manifest; nil if it is not one this version wrote.
    public static func parse(_ bytes: [UInt8]) -> SealManifest? {
        guard let document = try? JSONScanner().document(bytes), document.kind(document.root) == .object else { return nil }
        let root = document.root
        func string(_ object: Int, _ name: String) -> String? { document.member(of: object, named: name).flatMap(document.string) }
        func integer(_ object: Int, _ name: String) -> Int64? { document.member(of: object, named: name).flatMap(document.integer) }
        func array(_ name: String) -> [Int]? {
            guard let node = document.member(of: root, named: name), document.kind(node) == .array else { return nil }
            return document.elements(of: node)
        }
        guard integer(root, "format_version") == Int64(formatVersion), let partition = string(root, "partition"),
            let sealedAt = integer(root, "sealed_at"), let duplicates = integer(root, "duplicates_dropped"),
            let fileNodes = array("files"), let sourceNodes = array("sources")
        else { return nil }
        var files: [File] = []
        for node in fileNodes {
            guard document.kind(node) == .object, let name = string(node, "name"), let bytes = integer(node, "bytes"),
                let sha = string(node, "sha256"), let events = integer(node, "events"), let low = integer(node, "min_event_time"),
                let high = integer(node, "max_event_time")
            else { return nil }
            files.append(File(name: name, bytes: bytes, sha256: sha, events: Int(events), minEventTime: low, maxEventTime: high))
        }
        var sources: [Source] = []
        for node in sourceNodes {
            guard document.kind(node) == .object, let name = string(node, "name"), let bytes = integer(node, "bytes") else { return nil }
            sources.append(Source(name: name, bytes: bytes))
        }
        var manifest = SealManifest(
            partition: partition, sealedAt: UTCInstant(millisecondsSinceEpoch: sealedAt), files: files, sources: sources, duplicatesDropped: Int(duplicates)
        )
        manifest.lineRule = Int(integer(root, "line_rule") ?? 0)
        if let names = array("combines") {
            let strings = names.compactMap(document.string)
            guard strings.count == names.count else { return nil }
            manifest.combines = strings
        }
        return manifest
    }
}
