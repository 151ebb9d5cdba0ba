/// `_SHIPPED.json`: what a directory of the archive (a sealed hour, a date's report, a date's rejected input)
/// has in object storage, confirmed. `ship` writes it (atomically, the directory fsynced) only after reading
/// every object back from the store, so the record never claims more than the bucket holds; `retain` removes
/// a date's raw events only when every hour's record covers its current manifest.
///
/// Kept when seal re-seals an hour (late events): the next `ship` finds the record no longer covers the new
/// manifest, ships the new objects, and deletes the old ones it names only once the new ones are confirmed.
public struct ShipRecord: Sendable, Equatable {
    public static let formatVersion = 1

    /// One object: the local file's name in the directory, its key in the bucket, and what was confirmed.
    public struct Object: Sendable, Equatable {
        public let name: String
        public let key: String
        public let bytes: Int64
        /// The whole file's SHA-256, hex (for a sealed file, the manifest's).
        public let sha256: String

        public init(name: String, key: String, bytes: Int64, sha256: String) {
            self.name = name
            self.key = key
            self.bytes = bytes
            self.sha256 = sha256
        }
    }

    /// `s3://BUCKET/PREFIX` as given to `ship`.
    public let destination: String
    public let shippedAt: UTCInstant
    /// How the objects were confirmed: `store checksum` (the store returned each one's SHA-256) or `read back`
    /// (ship downloaded and hashed each one).
    public let checkedBy: String
    public let objects: [Object]

    public init(destination: String, shippedAt: UTCInstant, checkedBy: String, objects: [Object]) {
        self.destination = destination
        self.shippedAt = shippedAt
        self.checkedBy = checkedBy
        self.objects = objects
    }

    /// Whether this record, for `destination`, confirms every file in `files` (name, size and SHA-256).
    public func covers(_ files: [(name: String, bytes: Int64, sha256: String?)], destination: String) -> Bool {
        guard self.destination == destination else { return false }
        let shipped = Dictionary(objects.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return files.allSatisfy { file in
            guard let object = shipped[file.name], object.bytes == file.bytes else { return false }
            return file.sha256.map { $0 == object.sha256 } ?? true
        }
    }

    /// Whether this record confirms a sealed hour's current manifest and its sealed files.
    public func covers(_ manifest: SealManifest, destination: String) -> Bool {
        covers(manifest.files.map { ($0.name, $0.bytes, $0.sha256) }, destination: destination)
            && objects.contains { $0.name.hasPrefix(ArchiveFileName.manifestObjectPrefix) }
    }

    /// The record in `directory`, nil if there is none; throws if one is there but unreadable.
    public static func read(in directory: String) throws -> ShipRecord? {
        let path = "\(directory)/\(ArchiveFileName.shipped)"
        guard let file = try POSIXFile.openForReadingIfExists(path) else { return nil }
        guard let record = parse(try file.readToEnd()) else {
            throw StorageError("read", path: path, reason: "not a shipping record this version wrote; remove it and run ship again")
        }
        return record
    }

    /// Replaces the record in `directory` atomically and durably.
    public func write(in directory: String) throws {
        try AtomicFile.write(render(), to: "\(directory)/\(ArchiveFileName.shipped)")
        try Directory.sync(directory)
    }

    public func render() -> [UInt8] {
        var json = JSONBuilder(capacity: 512 + objects.count * 200)
        json.beginObject()
        json.number("format_version", Self.formatVersion)
        json.string("destination", destination)
        json.number("shipped_at", shippedAt.millisecondsSinceEpoch)
        json.string("checked_by", checkedBy)
        json.beginArray("objects")
        for object in objects {
            json.beginObject()
            json.string("name", object.name)
            json.string("key", object.key)
            json.number("bytes", object.bytes)
            json.string("sha256", object.sha256)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.raw(nil, "\n")
        return json.bytes
    }

    public static func parse(_ bytes: [UInt8]) -> ShipRecord? {
        guard let document = try? JSONScanner().document(bytes), document.kind(document.root) == .object else { return nil }
        let root = document.root
        func string(_ object: Int, _ name: String) -> String? { document.member(of: object, named: name).flatMap(document.string) }
        func integer(_ object: Int, _ name: String) -> Int64? { document.member(of: object, named: name).flatMap(document.integer) }
        guard integer(root, "format_version") == Int64(formatVersion), let destination = string(root, "destination"),
            let shippedAt = integer(root, "shipped_at"), let checkedBy = string(root, "checked_by"),
            let list = document.member(of: root, named: "objects"), document.kind(list) == .array
        else { return nil }
        var objects: [Object] = []
        for node in document.elements(of: list) {
            guard document.kind(node) == .object, let name = string(node, "name"), let key = string(node, "key"), let bytes = integer(node, "bytes"),
                let sha = string(node, "sha256")
            else { return nil }
            objects.append(Object(name: name, key: key, bytes: bytes, sha256: sha))
        }
        return ShipRecord(destination: destination, shippedAt: UTCInstant(millisecondsSinceEpoch: shippedAt), checkedBy: checkedBy, objects: objects)
    }
}
