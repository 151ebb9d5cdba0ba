import Glibc

/// Seals one closed hour: merges its files, keeps each event_uuid once, sorts by (event_time, event_uuid) and
/// writes one file of gzip members compressed by libdeflate on every core (`SealedFileWriter`), with
/// `_MANIFEST.json` and `_SUCCESS`. An hour larger than the memory
/// budget is sorted through runs spilled beside it (`HourSorter`), with the same result byte for byte.
///
/// The steps, each durable before the next:
/// 1. write the sealed file under a hidden name (`_sealing-….part`; spilled runs go to unnamed files), fsync;
/// then, holding the hour's exclusive `PartitionLock`:
/// 2. remove `_SUCCESS` (the hour is changing);
/// 3. write the manifest, which names the new file and every source it replaces;
/// 4. rename the sealed file to its visible name;
/// 5. delete the sources (and the copies of other roots' manifests a restored hour kept);
/// 6. write `_SUCCESS`.
/// Killed after 3, the next run finishes from the manifest (4 is checked, 5 and 6 redone); killed before 3,
/// the hidden file is removed and the sources, untouched, are sealed again. `seal` writes the file and returns
/// the rest, from its fsync on, as a `Commit`, which `Sealer` runs on this sealer's `BackgroundSync` thread
/// while the sealer reads the next hour: the steps and their order are the same. Readers holding the shared lock
/// see the sources or the sealed file, never both and never neither; plain readers of the directory (DuckDB,
/// Spark) can see the sealed file beside its sources for the milliseconds between 4 and 5, never a
/// half-written file.
public struct PartitionSealer {
    /// libdeflate's level for sealed members: under `gzip -9`'s size at 3.7 times its speed. Level 7 is 3%
    /// smaller but adds about a tenth to a nightly run's time, level 8 half as fast again (`archive-bench
    /// sealing` and `nightly`, docs/PERFORMANCE.md).
    public static let level: Int32 = 6

    /// What sealing one hour did.
    public struct Outcome: Sendable {
        public var sealed = false
        public var eventsIn = 0
        public var eventsOut = 0
        public var duplicates = 0
        public var bytesIn: Int64 = 0
        public var bytesOut: Int64 = 0
        /// The hour did not fit the memory budget: it was sorted through runs spilled to disk.
        public var spilled = false
    }

    /// One per core: a large hour's members are compressed on all of them.
    let compressors: [WholeMemberCompressor]
    /// Whose name the sealed files carry.
    let root: RootIdentity
    /// The most this sealer holds of an hour in memory, its reader's buffers and writer's members included; a larger hour is sorted
    /// through runs spilled to disk.
    let memoryBudget: Int
    /// Its reader's buffers, kept from file to file.
    private let readBuffers = GzipReadBuffers()
    /// Its sorter's scratch files for hours over the budget, kept from hour to hour.
    private let scratch = SortScratch()

    package init(root: RootIdentity, memoryBudget: Int) throws {
        compressors = try (0..<System.coreCount).map { _ in try WholeMemberCompressor(level: Self.level) }
        self.root = root
        self.memoryBudget = memoryBudget
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
        if manifest.combines.isEmpty { try SealManifest.removeCombined(in: partition.path) }
        try Directory.sync(partition.path)
        if !partition.hasSuccess && partition.inProgress.isEmpty && Set(partition.finished).subtracting(manifest.sources.map(\.name)) == kept {
            try AtomicFile.write([], to: partition.path(of: ArchiveFileName.success))
        }
    }

    /// Sorts `partition` (already recovered) and writes its sealed file under the hidden name, if it has files the
    /// manifest does not account for; what is left to do, from the file's fsync on, is the returned `Commit`
    /// (nil when there was nothing to seal). The outcome counts the hour as sealed once the commit has run.
    package func seal(_ partition: PartitionContents, now: UTCInstant) throws -> (outcome: Outcome, commit: Commit?) {
        var outcome = Outcome()
        guard !partition.finished.isEmpty, !partition.isSealed else { return (outcome, nil) }
        // Earlier sealed files first, so of an event's copies the one already sealed is the one kept.
        let sources = partition.finished.filter(ArchiveFileName.isSealed).sorted() + partition.finished.filter { !ArchiveFileName.isSealed($0) }.sorted()
        let sortBudget = max(64 << 10, memoryBudget - SealedFileWriter.heldBytes(compressors: compressors.count) - readBuffers.bytes)
        var sorter = HourSorter(directory: partition.path, budget: sortBudget, scratch: scratch)
        var sourceRecords: [SealManifest.Source] = []
        var rule = StoredLine()
        for name in sources {
            let path = partition.path(of: name)
            let size = try POSIXFile.openForReading(path).size()
            sourceRecords.append(.init(name: name, bytes: size))
            outcome.bytesIn += size
            try GzipFileReader(path: path, buffers: readBuffers).forEachLine { line in
                outcome.eventsIn += 1
                switch rule.check(line) {
                case .success(let event): try sorter.add(line, uuid: event.uuid, time: event.eventTime)
                case .failure(let problem): throw SealError.invalidLine(file: path, problem: "\(problem)")
                }
            }
        }
        let temporary = partition.path(of: ArchiveFileName.sealing(process: getpid()))
        var handedOver = false
        defer { if !handedOver { try? Directory.removeFile(temporary) } }  // a seal that fails leaves no hidden file
        var writer = try SealedFileWriter(path: temporary, compressors: compressors)
        outcome.spilled = try sorter.finish(into: &writer)
        outcome.duplicates = sorter.duplicates
        let (written, sha256, file) = try writer.finish()

        let name = ArchiveFileName.sealed(root: root, at: now)
        let manifest = SealManifest(
            partition: partition.key.relativePath, sealedAt: now,
            files: [
                .init(
                    name: name, bytes: written, sha256: sha256, events: writer.events,
                    minEventTime: writer.minEventTime, maxEventTime: writer.maxEventTime
                )
            ],
            sources: sourceRecords, duplicatesDropped: outcome.duplicates
        )
        outcome.sealed = true
        outcome.eventsOut = writer.events
        outcome.bytesOut = written
        handedOver = true
        return (outcome, Commit(partition: partition, file: file, temporary: temporary, name: name, manifest: manifest, sources: sources))
    }

    /// An hour whose sealed file is written under its hidden name: steps 1 (the fsync) to 6 of the type's
    /// comment. Run once; if it fails, the hidden file is removed and the hour is as it was before the seal (or,
    /// past step 3, as the next run's recovery finishes it).
    package struct Commit: Sendable {
        let partition: PartitionContents
        let file: POSIXFile
        let temporary: String
        let name: String
        let manifest: SealManifest
        let sources: [String]

        package func run() throws {
            do {
                try file.sync()
                try PartitionLock.exclusive(partition.path) {
                    try Directory.removeFile(partition.path(of: ArchiveFileName.success))
                    try AtomicFile.write(manifest.render(), to: partition.path(of: ArchiveFileName.manifest))
                    try Directory.rename(temporary, to: partition.path(of: name))
                    for source in sources where source != name { try Directory.removeFile(partition.path(of: source)) }
                    try SealManifest.removeCombined(in: partition.path)
                    try Directory.sync(partition.path)
                    try AtomicFile.write([], to: partition.path(of: ArchiveFileName.success))
                }
            } catch {
                try? Directory.removeFile(temporary)  // renamed away if the failure came after step 4
                throw error
            }
        }
    }
}
