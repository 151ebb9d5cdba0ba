import Glibc

/// Puts an hour's lines in sealed order: of each event_uuid (`EventUUID`: unescaped bytes), the first copy in
/// input order, sorted by (event_time, event_uuid), within a memory budget.
///
/// While the lines fit the budget this is done in memory. Past it, the batch in memory is sorted by
/// (event_uuid, input order) and spilled as a run (`SpillRun`); at the end the runs are merged, keeping each
/// event_uuid's first copy, into a second set of runs sorted in sealed order, whose merge feeds the sealed
/// file. Both paths keep the same copies in the same order, so the sealed file is byte-identical whichever
/// ran. Spilled runs are the hour's raw size at most twice over on disk, and are removed when the seal ends.
struct HourSorter {
    let directory: String
    let budget: Int
    private var batch = SpillBatch(deduplicating: true)
    private var seq: Int64 = 0
    private var runs = 0
    private var identityRuns: [String] = []
    private(set) var duplicates = 0

    init(directory: String, budget: Int) {
        self.directory = directory
        self.budget = max(budget, 64 * 1024)
    }

    /// Takes the next line of the hour's input (sources in seal's order, lines in file order).
    mutating func add(_ line: UnsafeRawBufferPointer, uuid: EventUUID, time: Int64) throws {
        defer { seq += 1 }
        guard uuid.bytes.withUnsafeBytes({ batch.add(line, uuid: $0, fingerprint: uuid.fingerprint, time: time, seq: seq) }) else {
            duplicates += 1
            return
        }
        if batch.memory > budget { identityRuns.append(try spill(&batch, to: nextRun(), by: .identity)) }
    }

    /// Writes the kept lines in sealed order; whether runs were spilled (the budget was exceeded).
    mutating func finish(into writer: inout SealedFileWriter) throws -> Bool {
        if identityRuns.isEmpty {
            try batch.forEach(sortedBy: .sealed) { line, time, _ in try writer.append(line, time: time) }
            return false
        }
        identityRuns.append(try spill(&batch, to: nextRun(), by: .identity))
        identityRuns = try narrow(identityRuns, by: .identity)
        var firstCopies = try SpillMerge(paths: identityRuns, bufferBytes: readBuffer(identityRuns.count), by: .identity)
        var ordered = SpillBatch(deduplicating: false)
        var orderedRuns: [String] = []
        var previous: [UInt8]?
        while let record = try firstCopies.next() {
            if record.uuid == previous {
                duplicates += 1
                continue
            }
            previous = record.uuid
            _ = record.line.withUnsafeBytes { line in
                record.uuid.withUnsafeBytes { ordered.add(line, uuid: $0, fingerprint: nil, time: record.time, seq: record.seq) }
            }
            if ordered.memory > budget { orderedRuns.append(try spill(&ordered, to: nextRun(), by: .sealed)) }
        }
        orderedRuns.append(try spill(&ordered, to: nextRun(), by: .sealed))
        orderedRuns = try narrow(orderedRuns, by: .sealed)
        var merged = try SpillMerge(paths: orderedRuns, bufferBytes: readBuffer(orderedRuns.count), by: .sealed)
        while let record = try merged.next() {
            try record.line.withUnsafeBytes { try writer.append($0, time: record.time) }
        }
        return true
    }

    /// The path of the next run.
    private mutating func nextRun() -> String {
        defer { runs += 1 }
        return "\(directory)/\(ArchiveFileName.sealingRun(process: getpid(), index: runs))"
    }

    /// Sorts `batch`, writes it to `path` and empties it; returns the path.
    private func spill(_ batch: inout SpillBatch, to path: String, by order: SpillOrder) throws -> String {
        try batch.spill(sortedBy: order, to: path, flushBytes: SpillRunWriter.flushBytes(budget: budget))
        return path
    }

    /// `runs` merged down to `SpillMerge.fanIn` at most.
    private mutating func narrow(_ runs: [String], by order: SpillOrder) throws -> [String] {
        let (buffer, flush) = (readBuffer(SpillMerge.fanIn), SpillRunWriter.flushBytes(budget: budget))
        return try SpillMerge.narrow(runs, by: order, bufferBytes: buffer, flushBytes: flush) { nextRun() }
    }

    /// Each run's read buffer: together they stay within a quarter of the budget.
    private func readBuffer(_ runs: Int) -> Int { SpillMerge.readBuffer(budget: budget, runs: runs) }

    /// Removes every run this sorter spilled (absent ones are fine): when the seal ends, whichever way.
    func removeRuns() {
        for index in 0..<runs { try? Directory.removeFile("\(directory)/\(ArchiveFileName.sealingRun(process: getpid(), index: index))") }
    }
}
