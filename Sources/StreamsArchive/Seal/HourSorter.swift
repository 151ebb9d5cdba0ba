import Glibc

/// Puts an hour's lines in sealed order: of each event_uuid (`EventUUID`: unescaped bytes), the first copy in
/// input order, sorted by (event_time, event_uuid), within a memory budget.
///
/// While the lines fit the budget this is done in memory. Past it, the batch in memory is sorted by
/// (event_uuid, input order) and spilled as a run; at the end the runs are merged, keeping each event_uuid's
/// first copy, into a second set of runs sorted in sealed order, whose merge feeds the sealed file. Both
/// paths keep the same copies in the same order, so the sealed file is byte-identical whichever ran. Each set
/// of runs is written into one of the sealer's two scratch files (`SortScratch`), so the runs take the hour's
/// raw size about twice over on disk at most, and nothing of them outlives the seal.
struct HourSorter {
    let directory: String
    let budget: Int
    private let scratch: SortScratch
    private var batch: SpillBatch
    private var seq: Int64 = 0
    private var identityFile: SpillRunFile?
    private var identityRuns: [SpillRun] = []
    private(set) var duplicates = 0

    init(directory: String, budget: Int, scratch: SortScratch) {
        self.directory = directory
        self.scratch = scratch
        self.budget = max(budget, 64 * 1024)
        batch = scratch.takeBatch(budget: self.budget)
    }

    /// Takes the next line of the hour's input (sources in seal's order, lines in file order).
    mutating func add(_ line: UnsafeRawBufferPointer, uuid: EventUUID, time: Int64) throws {
        defer { seq += 1 }
        guard uuid.bytes.withUnsafeBytes({ batch.add(line, uuid: $0, fingerprint: uuid.fingerprint, time: time, seq: seq) }) else {
            duplicates += 1
            return
        }
        if batch.memory > budget {
            if identityFile == nil { identityFile = try runFile(0) }
            identityRuns.append(try batch.spill(sortedBy: .identity, to: &identityFile!))
        }
    }

    /// Writes the kept lines in sealed order; whether runs were spilled (the budget was exceeded).
    mutating func finish(into writer: inout SealedFileWriter) throws -> Bool {
        guard var identityFile else {
            try batch.forEach(sortedBy: .sealed) { line, time, _ in try writer.append(line, time: time) }
            scratch.giveBack(batch)
            batch = SpillBatch(deduplicating: true)
            return false
        }
        if !batch.isEmpty { identityRuns.append(try batch.spill(sortedBy: .identity, to: &identityFile)) }
        identityRuns = try SpillMerge.narrow(identityRuns, by: .identity, bufferBytes: readBuffer(SpillMerge.fanIn), into: &identityFile)
        var firstCopies = try SpillMerge(runs: identityRuns, bufferBytes: readBuffer(identityRuns.count), by: .identity)
        // The first pass's batch, empty, holds the second's lines: its storage is already within the budget.
        var ordered = batch
        batch = SpillBatch(deduplicating: true)
        var orderedFile = try runFile(1)
        var orderedRuns: [SpillRun] = []
        var previous: [UInt8] = []
        var first = true
        try firstCopies.forEach { time, seq, _, uuid, line in
            if !first, uuid.elementsEqual(previous) {
                duplicates += 1
                return
            }
            first = false
            previous.removeAll(keepingCapacity: true)
            previous.append(contentsOf: uuid)
            _ = ordered.add(line, uuid: uuid, fingerprint: nil, time: time, seq: seq)
            if ordered.memory > budget { orderedRuns.append(try ordered.spill(sortedBy: .sealed, to: &orderedFile)) }
        }
        if !ordered.isEmpty { orderedRuns.append(try ordered.spill(sortedBy: .sealed, to: &orderedFile)) }
        orderedRuns = try SpillMerge.narrow(orderedRuns, by: .sealed, bufferBytes: readBuffer(SpillMerge.fanIn), into: &orderedFile)
        var merged = try SpillMerge(runs: orderedRuns, bufferBytes: readBuffer(orderedRuns.count), by: .sealed)
        try merged.forEach { time, _, _, _, line in try writer.append(line, time: time) }
        scratch.giveBack(ordered)
        return true
    }

    /// Scratch file `index`, written from its start.
    private func runFile(_ index: Int) throws(StorageError) -> SpillRunFile {
        SpillRunFile(file: try scratch.file(index, in: directory), flushBytes: SpillRunFile.flushBytes(budget: budget))
    }

    /// Each run's read buffer: together they stay within a quarter of the budget.
    private func readBuffer(_ runs: Int) -> Int { SpillMerge.readBuffer(budget: budget, runs: runs) }
}
