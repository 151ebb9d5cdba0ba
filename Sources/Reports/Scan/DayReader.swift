import StreamsArchive

/// Where a file stopped being readable, for the report's "incomplete" marker, stderr and report.json.
public struct FileDamage: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    /// Byte offset: of the last good gzip member for a torn or corrupt member, or of the line in the
    /// decompressed stream for a line that is not JSON.
    public let offset: Int64
    public let reason: String

    public var description: String { "\(path) at byte \(offset): \(reason)" }
}

/// Reads a day's files (or several days') in parallel with Dispatch and hands each event, counted once, to a
/// per-worker accumulator, told first (`enter`) which partition the events that follow are from.
///
/// The unit of work is a partition (all its files): retries of an event always land in the event's own
/// partition, so one worker sees every copy of an event_uuid and can drop repeats with a set of its own (of
/// 128-bit fingerprints, so memory does not grow with the length of the uuids). An hour that is one sealed
/// file needs no such set: seal kept each event once.
/// Partitions are taken largest first by whichever worker is free. A damaged file is recorded and the rest of
/// the day is still read; lines of a damaged member read before the damage are counted.
///
/// Which lines count is `StoredLine`'s rule: a file seal has not checked (not yet sealed, or still open) has
/// each line checked against it before the structural scan; a sealed file's lines were checked by seal.
public enum DayReader {
    /// What reading a day gave: each worker's accumulator, the damage found, and the totals.
    public struct Outcome<Accumulator> {
        public var accumulators: [Accumulator]
        public var damage: [FileDamage]
        /// Distinct events read, per partition.
        public var partitionEvents: [PartitionKey: Int]
        public var duplicates: Int
        public var bytes: Int64

        public var events: Int { partitionEvents.values.reduce(0, +) }
    }

    package static func read<Accumulator>(
        _ files: [ScannedFile], plan: FieldPlan, workers: Int = System.coreCount, progress: ReadProgress? = nil,
        make: () -> Accumulator, enter: (inout Accumulator, PartitionKey) -> Void, visit: (inout Accumulator, EventLine) -> Void
    ) -> Outcome<Accumulator> {
        let partitions = Dictionary(grouping: files, by: \.partition).values
            .map { $0.sorted { $0.path < $1.path } }
            .sorted { ($0.map(\.bytes).reduce(0, +), $1[0].partition) > ($1.map(\.bytes).reduce(0, +), $0[0].partition) }
        let workers = max(1, min(workers, partitions.count))
        progress?.begin(files: files.count, bytes: files.map(\.bytes).reduce(0, +))
        var states = (0..<workers).map { _ in WorkerState(accumulator: make(), plan: plan) }
        Parallel.forEach(partitions.count, states: &states) { state, index in
            enter(&state.accumulator, partitions[index][0].partition)
            state.read(partitions[index], progress: progress, visit: visit)
        }
        return Outcome(
            accumulators: states.map(\.accumulator),
            damage: states.flatMap(\.damage).sorted { ($0.path, $0.offset) < ($1.path, $1.offset) },
            partitionEvents: states.reduce(into: [:]) { total, state in total.merge(state.partitionEvents, uniquingKeysWith: +) },
            duplicates: states.map(\.duplicates).reduce(0, +), bytes: states.map(\.bytes).reduce(0, +)
        )
    }

    struct WorkerState<Accumulator> {
        var accumulator: Accumulator
        var damage: [FileDamage] = []
        var partitionEvents: [PartitionKey: Int] = [:]
        var duplicates = 0
        var bytes: Int64 = 0
        private let scanner: FieldScanner
        private var rule = StoredLine()
        private let buffers = GzipReadBuffers()

        init(accumulator: Accumulator, plan: FieldPlan) {
            self.accumulator = accumulator
            // Every line scanned is a stored line (sealed, or checked just before): the rest of it past the
            // plan's last field needs no reading.
            scanner = FieldScanner(plan: plan, stopsAtLastField: true)
        }

        mutating func read(_ partition: [ScannedFile], progress: ReadProgress?, visit: (inout Accumulator, EventLine) -> Void) {
            // An hour that is one sealed file holds each event_uuid once (seal kept one copy of each, by the same
            // identity): it needs no set of the uuids seen. Several files (unsealed, or restored from several
            // roots) do.
            let sealedWhole = partition.count == 1 && partition[0].isSealed
            var seen = FingerprintSet(minimumCapacity: sealedWhole ? 8 : Int(partition.map(\.bytes).reduce(0, +) / 64))
            var events = 0
            for file in partition {
                let before = events
                bytes += file.bytes
                let reader = GzipFileReader(path: file.path, buffers: buffers)
                var lineOffset: Int64 = 0
                do {
                    try reader.forEachLine { line in
                        defer { lineOffset += Int64(line.count + 1) }
                        if !file.isSealed, case .failure(let problem) = rule.check(line) {
                            return damage.append(FileDamage(path: file.path, offset: lineOffset, reason: "line is not a stored event (\(problem)), at this offset of the decompressed data"))
                        }
                        let counted = scanner.scan(line) { event -> Bool in
                            if sealedWhole {
                                // Seal kept each uuid once: only that the line has one is checked.
                                guard event.holds(0) else { return false }
                            } else {
                                guard let uuid = event.fingerprint(0) else { return false }
                                guard seen.insert(uuid) else {
                                    duplicates += 1
                                    return true
                                }
                            }
                            events += 1
                            visit(&accumulator, event)
                            return true
                        }
                        if counted != true {
                            damage.append(FileDamage(path: file.path, offset: lineOffset, reason: "line is not a stored event (not a JSON object, or no event_uuid), at this offset of the decompressed data"))
                        }
                    }
                } catch let error as GzipReadError {
                    damage.append(FileDamage(path: file.path, offset: error.lastGoodOffset, reason: "\(error.problem)"))
                } catch {
                    damage.append(FileDamage(path: file.path, offset: 0, reason: "\(error)"))
                }
                progress?.fileFinished(bytes: file.bytes, events: events - before)
            }
            partitionEvents[partition[0].partition, default: 0] += events
        }
    }
}
