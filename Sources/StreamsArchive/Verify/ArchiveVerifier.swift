/// `verify`: reads every finished file to the end and checks what a manifest promises about it.
///
/// Per file: every gzip member's CRC-32 and length (zlib checks them as each member ends), and every line is
/// valid JSON (the receiver's strict scanner) with a string event_uuid, and a sealed file is in sealed order,
/// strictly by (event_time, `EventUUID`), and holds each `EventUUID` once. The order check catches a repeat
/// with the same event_time in constant memory; a repeat at another event_time needs a set of the file's
/// uuids, kept while it fits the worker's share of the memory budget (at most 64 bytes an event, a
/// `FingerprintSet` sized by the manifest's count: a million events in 64 MiB); past that the file's remaining lines are checked for order only and the summary counts
/// the file in `uniquenessUnchecked`. Per manifest: each file it lists exists,
/// with the bytes, sha256 and event count written down when it was sealed. Files still being written are
/// skipped. Partitions are checked in parallel, each under its shared `PartitionLock`; so is each day of
/// `rejected/` (`RejectedVerifier`): verify covers every file the archive owns.
public enum ArchiveVerifier {
    /// One damaged file (or manifest) and what is wrong with it.
    public struct Finding: Sendable, CustomStringConvertible {
        public let path: String
        public let problem: String
        public var description: String { "\(path): \(problem)" }
    }

    /// What verify read and found.
    public struct Summary: Sendable {
        public var files = 0
        public var manifests = 0
        public var events = 0
        /// Lines read from `rejected/` (each a rejected event or body).
        public var rejectedRecords = 0
        public var bytes: Int64 = 0
        public var findings: [Finding] = []
        /// Sealed files too large for the memory budget's uuid set: checked for order (and so for repeats at
        /// one event_time) but not for a uuid repeated at another event_time.
        public var uniquenessUnchecked = 0
    }

    /// Checks every partition of `date` (or of every date), `workers` hours at a time.
    public static func run(
        layout: ArchiveLayout, date: UTCDate?, workers: Int = System.coreCount, memoryBudget: MemoryBudget = .machineDefault
    ) throws -> Summary {
        let seenLimit = memoryBudget.share(workers) / FingerprintSet.bytesPerMember
        let keys = try ArchivePartitions.all(layout: layout, date: date)
        let rejected = try date.map { date in Directory.exists(layout.rejectedDirectory(date)) ? [date] : [] } ?? ArchivePartitions.dates(in: layout.rejectedDirectory)
        let results = Parallel.map(keys.count + rejected.count, workers: workers) { _, index in
            index < keys.count ? check(keys[index], layout: layout, seenLimit: seenLimit) : RejectedVerifier.check(rejected[index - keys.count], layout: layout)
        }
        return results.reduce(into: Summary()) { total, part in
            total.files += part.files
            total.manifests += part.manifests
            total.events += part.events
            total.rejectedRecords += part.rejectedRecords
            total.bytes += part.bytes
            total.findings += part.findings
            total.uniquenessUnchecked += part.uniquenessUnchecked
        }
    }

    /// Checks one hour under its shared `PartitionLock`, so a seal running meanwhile is seen before or after.
    static func check(_ key: PartitionKey, layout: ArchiveLayout, seenLimit: Int) -> Summary {
        var summary = Summary()
        let path = layout.path(key)
        let lock: PartitionLock?
        do { lock = try PartitionLock.shared(path) } catch {
            summary.findings.append(Finding(path: path, problem: "cannot be locked for reading: \(error)"))
            return summary
        }
        guard let lock else { return summary }  // removed by retention since it was listed
        return withExtendedLifetime(lock) { check(key, path: path, layout: layout, seenLimit: seenLimit) }
    }

    private static func check(_ key: PartitionKey, path: String, layout: ArchiveLayout, seenLimit: Int) -> Summary {
        var summary = Summary()
        let partition: PartitionContents
        do { partition = try PartitionContents(key: key, layout: layout) } catch {
            summary.findings.append(Finding(path: path, problem: "cannot be listed: \(error)"))
            return summary
        }
        var lineCounts: [String: Int] = [:]
        var rule = StoredLine()
        let sealedEvents = Dictionary((partition.manifest?.files ?? []).map { ($0.name, $0.events) }, uniquingKeysWith: max)
        for name in partition.finished {
            let file = partition.path(of: name)
            var firstBadLine: (offset: Int64, problem: StoredLine.Problem)?
            // A sealed file holds each event once (`EventUUID`: unescaped bytes), in sealed order; files not yet
            // sealed may repeat, in any order.
            let listedEvents = sealedEvents[name]
            let sealed = listedEvents != nil
            var order = SealedOrderCheck()
            var seen = listedEvents.map { FingerprintSet(minimumCapacity: min($0, seenLimit)) }
            var firstRepeat: (offset: Int64, uuid: EventUUID)?
            let lines = readLines(of: file, into: &summary) { line, offset in
                guard firstBadLine == nil else { return }
                let event: StoredLine.Event
                switch rule.check(line) {
                case .success(let checked): event = checked
                case .failure(let problem): return firstBadLine = (offset, problem)
                }
                guard sealed, firstRepeat == nil, order.problem == nil else { return }
                if order.check(time: event.eventTime, uuid: event.uuid, at: offset) == .repeated { return firstRepeat = (offset, event.uuid) }
                if seen?.insert(event.uuid.fingerprint) == false { firstRepeat = (offset, event.uuid) }
                if let count = seen?.count, count >= seenLimit { seen = nil }
            }
            if sealed && seen == nil { summary.uniquenessUnchecked += 1 }
            if let problem = order.problem, firstRepeat == nil {
                summary.findings.append(Finding(path: file, problem: "\(problem); sealed by an older version: remove this hour's \(ArchiveFileName.manifest) and \(ArchiveFileName.success), then run seal to seal it again"))
            }
            if let firstBadLine {
                summary.findings.append(Finding(path: file, problem: "a line at byte \(firstBadLine.offset) of the decompressed data is not a stored event (\(firstBadLine.problem))"))
            }
            if let firstRepeat {
                summary.findings.append(
                    Finding(path: file, problem: "sealed file holds event_uuid \"\(firstRepeat.uuid)\" more than once (again at byte \(firstRepeat.offset) of the decompressed data); sealed by an older version: remove this hour's \(ArchiveFileName.manifest) and \(ArchiveFileName.success), then run seal to seal it again")
                )
            }
            summary.events += lines
            lineCounts[name] = lines
        }
        if partition.manifest == nil && (try? POSIXFile.openForReadingIfExists(partition.path(of: ArchiveFileName.manifest))) != nil {
            summary.findings.append(Finding(path: partition.path(of: ArchiveFileName.manifest), problem: "is not a readable manifest"))
        }
        if let manifest = partition.manifest {
            summary.manifests += 1
            for listed in manifest.files {
                let file = partition.path(of: listed.name)
                guard let count = lineCounts[listed.name] else {
                    summary.findings.append(Finding(path: file, problem: "listed in \(ArchiveFileName.manifest) but missing"))
                    continue
                }
                do {
                    let (bytes, digest) = try FileDigest.sha256(ofFile: file)
                    let sha = digest.hex
                    if bytes != listed.bytes { summary.findings.append(Finding(path: file, problem: "is \(bytes) bytes; the manifest says \(listed.bytes)")) }
                    if sha != listed.sha256 { summary.findings.append(Finding(path: file, problem: "sha256 \(sha) does not match the manifest's \(listed.sha256)")) }
                } catch {
                    summary.findings.append(Finding(path: file, problem: "cannot be read: \(error)"))
                }
                if count != listed.events {
                    summary.findings.append(Finding(path: file, problem: "holds \(count) events; the manifest says \(listed.events)"))
                }
            }
        }
        return summary
    }

    /// Reads `file` to the end, handing `line` each line and its offset in the decompressed data; counts the
    /// file and the compressed bytes read, and records gzip damage as a finding. Returns the lines read.
    static func readLines(of file: String, into summary: inout Summary, _ line: (UnsafeRawBufferPointer, Int64) -> Void) -> Int {
        summary.files += 1
        var lines = 0
        var offset: Int64 = 0
        let reader = GzipFileReader(path: file)
        do {
            try reader.forEachLine { bytes in
                line(bytes, offset)
                offset += Int64(bytes.count + 1)
                lines += 1
            }
            summary.bytes += reader.compressedBytesRead
        } catch let error as GzipReadError {
            summary.findings.append(Finding(path: file, problem: "gzip damaged after byte \(error.lastGoodOffset) (end of the last good member): \(error.problem)"))
        } catch {
            summary.findings.append(Finding(path: file, problem: "\(error)"))
        }
        return lines
    }
}
