import Crypto
import Glibc

/// Seals one closed hour: merges its files, keeps each event_uuid once, sorts by (event_time, event_uuid) and
/// writes one gzip member at level 9 with `_MANIFEST.json` and `_SUCCESS`.
///
/// The steps, each durable before the next:
/// 1. write the sealed file under a hidden name (`_sealing-….part`), fsync;
/// then, holding the hour's exclusive `PartitionLock`:
/// 2. remove `_SUCCESS` (the hour is changing);
/// 3. write the manifest, which names the new file and every source it replaces;
/// 4. rename the sealed file to its visible name;
/// 5. delete the sources;
/// 6. write `_SUCCESS`.
/// Killed after 3, the next run finishes from the manifest (4 is checked, 5 and 6 redone); killed before 3,
/// the hidden file is removed and the sources, untouched, are sealed again. Readers holding the shared lock
/// see the sources or the sealed file, never both and never neither; plain readers of the directory (DuckDB,
/// Spark) can see the sealed file beside its sources for the milliseconds between 4 and 5, never a
/// half-written file.
public struct PartitionSealer {
    public static let level: Int32 = 9

    /// What sealing one hour did.
    public struct Outcome: Sendable {
        public var sealed = false
        public var eventsIn = 0
        public var eventsOut = 0
        public var duplicates = 0
        public var bytesIn: Int64 = 0
        public var bytesOut: Int64 = 0
    }

    let encoder: GzipMemberEncoder

    public init() throws {
        encoder = try GzipMemberEncoder(level: Self.level)
    }

    /// Finishes or undoes an interrupted seal of `partition`: removes its temporaries (the sealed file's and
    /// the manifest's), then completes or discards what the manifest says. Needs the seal lock and the
    /// hour's exclusive `PartitionLock`.
    static func recover(_ partition: PartitionContents) throws(StorageError) {
        for name in try Directory.entries(partition.path) where ArchiveFileName.isSealing(name) || AtomicFile.isTemporary(name) {
            try Directory.removeFile(partition.path(of: name))
        }
        guard let manifest = partition.manifest else { return }
        let present = Set(partition.finished)
        guard manifest.files.allSatisfy({ present.contains($0.name) }) else {
            // Died between writing the manifest and showing the file: the sources are all there; seal again.
            try Directory.removeFile(partition.path(of: ArchiveFileName.manifest))
            return
        }
        let kept = Set(manifest.files.map(\.name))
        for source in manifest.sources where present.contains(source.name) && !kept.contains(source.name) {
            try Directory.removeFile(partition.path(of: source.name))
        }
        try Directory.sync(partition.path)
        if !partition.hasSuccess && partition.inProgress.isEmpty && Set(partition.finished).subtracting(manifest.sources.map(\.name)) == kept {
            try AtomicFile.write([], to: partition.path(of: ArchiveFileName.success))
        }
    }

    /// Seals `partition` (already recovered) if it has files the manifest does not account for.
    public func seal(_ partition: PartitionContents, now: UTCInstant) throws -> Outcome {
        var outcome = Outcome()
        guard !partition.finished.isEmpty, !partition.isSealed else { return outcome }
        // Earlier sealed files first, so of an event's copies the one already sealed is the one kept.
        let sources = partition.finished.filter(ArchiveFileName.isSealed).sorted() + partition.finished.filter { !ArchiveFileName.isSealed($0) }.sorted()
        var lines: [UInt8] = []
        // Each kept event's identity (`EventUUID`: its event_uuid unescaped), so `"é"` and `"\u00e9"` are one.
        var identities: [UInt8] = []
        var entries: [(line: Range<Int>, time: Int64, uuid: Range<Int>)] = []
        var firstByUUID: [Fingerprint: Int] = [:]
        var sourceRecords: [SealManifest.Source] = []
        var rule = StoredLine()
        for name in sources {
            let path = partition.path(of: name)
            let size = try POSIXFile.openForReading(path).size()
            sourceRecords.append(.init(name: name, bytes: size))
            outcome.bytesIn += size
            try GzipFileReader(path: path).forEachLine { line in
                outcome.eventsIn += 1
                let (uuid, time): (EventUUID, Int64)
                switch rule.check(line) {
                case .success(let event): (uuid, time) = (event.uuid, event.eventTime)
                case .failure(let problem): throw SealError.invalidLine(file: path, problem: "\(problem)")
                }
                let fingerprint = uuid.fingerprint
                if let first = firstByUUID[fingerprint], identities[entries[first].uuid].elementsEqual(uuid.bytes) {
                    outcome.duplicates += 1
                    return
                }
                let start = lines.count
                lines.append(contentsOf: line)
                let identity = identities.count..<(identities.count + uuid.bytes.count)
                identities.append(contentsOf: uuid.bytes)
                firstByUUID[fingerprint] = entries.count
                entries.append((start..<lines.count, time, identity))
            }
        }
        entries.sort { a, b in a.time != b.time ? a.time < b.time : identities[a.uuid].lexicographicallyPrecedes(identities[b.uuid]) }

        let temporary = partition.path(of: ArchiveFileName.sealing(process: getpid()))
        let file = try POSIXFile.createTruncating(temporary)
        var hash = SHA256()
        var compressed: [UInt8] = []
        var chunk: [UInt8] = []
        var written: Int64 = 0
        func drain(force: Bool) throws {
            guard force || compressed.count >= 1 << 20 else { return }
            hash.update(data: compressed)
            try withBytes(compressed) { (raw) throws(StorageError) in try file.write(raw) }
            written += Int64(compressed.count)
            compressed.removeAll(keepingCapacity: true)
        }
        for (index, entry) in entries.enumerated() {
            chunk.append(contentsOf: lines[entry.line])
            chunk.append(0x0A)
            let last = index == entries.count - 1
            if chunk.count >= 1 << 20 || last {
                try withBytes(chunk) { (raw) throws(CodecError) in try encoder.stream(raw, finish: last, into: &compressed) }
                chunk.removeAll(keepingCapacity: true)
                try drain(force: last)
            }
        }
        try file.sync()

        let name = ArchiveFileName.sealed(at: now)
        let manifest = SealManifest(
            partition: partition.key.relativePath, sealedAt: now,
            files: [
                .init(
                    name: name, bytes: written, sha256: hash.finalize().hex, events: entries.count,
                    minEventTime: entries.first?.time ?? 0, maxEventTime: entries.last?.time ?? 0
                )
            ],
            sources: sourceRecords, duplicatesDropped: outcome.duplicates
        )
        try PartitionLock.exclusive(partition.path) {
            try Directory.removeFile(partition.path(of: ArchiveFileName.success))
            try AtomicFile.write(manifest.render(), to: partition.path(of: ArchiveFileName.manifest))
            try Directory.rename(temporary, to: partition.path(of: name))
            for source in sources where source != name { try Directory.removeFile(partition.path(of: source)) }
            try Directory.sync(partition.path)
            try AtomicFile.write([], to: partition.path(of: ArchiveFileName.success))
        }
        outcome.sealed = true
        outcome.eventsOut = entries.count
        outcome.bytesOut = written
        return outcome
    }
}
