import Glibc

/// Puts an hour's lines in sealed order: of each event_uuid (`EventUUID`: unescaped bytes), the first copy in
/// input order, sorted by (event_time, event_uuid), within a memory budget.
///
/// While the lines fit the budget this is done in memory. Past it, each batch (which holds the first copy of
/// each event_uuid it saw) is spilled twice: its lines as a run in sealed order, and its identities alone (time,
/// input order, uuid) as a run in identity order. At the end the identity runs are merged to find the copies a
/// later batch kept of an event an earlier one holds: those at another event_time than the first copy are
/// listed to drop (in sealed order, spilled if many); those at the same one sort right after the first copy.
/// One merge of the line runs then writes the sealed file, skipping both. So the lines go through the disk
/// once (and once more per merge-down, past 64 runs), where the identities (a few dozen bytes each) take the
/// second pass. Both paths keep the same copies in the same order, so the sealed file is byte-identical
/// whichever ran. The line runs go into one of the sealer's two scratch files (`SortScratch`), the identities
/// and the copies to drop into the other, and nothing of them outlives the seal.
struct HourSorter {
    let directory: String
    /// All the sorter holds: its batch, and when it spills, the runs' write buffers and the merge's read buffers.
    let budget: Int
    /// The batch's part of it: the rest is kept for the buffers, as the batch's pages stay resident while they are used.
    private let batchBudget: Int
    private let scratch: SortScratch
    private var batch: SpillBatch
    private var seq: Int64 = 0
    /// The batches' lines, each run in sealed order (scratch file 0).
    private var lineFile: SpillRunFile?
    private var lineRuns: [SpillRun] = []
    /// The batches' identities, each run in identity order; then the copies to drop (scratch file 1).
    private var identityFile: SpillRunFile?
    private var identityRuns: [SpillRun] = []
    private(set) var duplicates = 0

    init(directory: String, budget: Int, scratch: SortScratch) {
        self.directory = directory
        self.scratch = scratch
        self.budget = max(budget, 64 * 1024)
        // Two run files' write buffers, and a quarter for the read buffers of any merge (`readBuffer`).
        batchBudget = max(16 * 1024, self.budget - 2 * SpillRunFile.flushBytes(budget: self.budget) - self.budget / 4)
        batch = scratch.takeBatch(budget: batchBudget)
    }

    /// Takes the next line of the hour's input (sources in seal's order, lines in file order).
    mutating func add(_ line: UnsafeRawBufferPointer, uuid: EventUUID, time: Int64) throws {
        defer { seq += 1 }
        guard uuid.bytes.withUnsafeBytes({ batch.add(line, uuid: $0, fingerprint: uuid.fingerprint, time: time, seq: seq) }) else {
            duplicates += 1
            return
        }
        if batch.memory > batchBudget { try spillBatch() }
    }

    /// Spills the batch: its identities, then its lines.
    private mutating func spillBatch() throws {
        if lineFile == nil {
            lineFile = try runFile(0)
            identityFile = try runFile(1)
        }
        identityRuns.append(try batch.spillIdentities(to: &identityFile!))
        lineRuns.append(try batch.spill(sortedBy: .sealed, to: &lineFile!))
    }

    /// Writes the kept lines in sealed order; whether runs were spilled (the budget was exceeded).
    mutating func finish(into writer: inout SealedFileWriter) throws -> Bool {
        guard lineFile != nil else {
            try batch.forEach(sortedBy: .sealed) { line, time, _ in try writer.append(line, time: time) }
            scratch.giveBack(batch)
            batch = SpillBatch(deduplicating: true)
            return false
        }
        if !batch.isEmpty { try spillBatch() }
        let drops = try laterCopiesElsewhere()
        lineRuns = try SpillMerge.narrow(lineRuns, by: .sealed, bufferBytes: readBuffer(SpillMerge.fanIn), into: &lineFile!)
        var merged = try SpillMerge(runs: lineRuns, bufferBytes: readBuffer(lineRuns.count + drops.count), by: .sealed)
        var dropping = try SpillMerge(runs: drops, bufferBytes: readBuffer(lineRuns.count + drops.count), by: .sealed)
        var previous: [UInt8] = []
        var previousTime = Int64.min
        var first = true
        try merged.forEach { time, seq, _, uuid, line in
            // The next copy to drop sorts at or after this line (both are in sealed order, and every copy to drop is
            // one of the lines).
            if dropping.withNext({ dropTime, dropSeq, _, dropUUID, _ in dropTime == time && dropSeq == seq && dropUUID.elementsEqual(uuid) }) == true {
                try dropping.skipNext()
                duplicates += 1
                return
            }
            // A later copy at its event's first time follows the first copy (sealed order breaks ties by input order).
            if !first, time == previousTime, uuid.elementsEqual(previous) {
                duplicates += 1
                return
            }
            first = false
            previousTime = time
            previous.removeAll(keepingCapacity: true)
            previous.append(contentsOf: uuid)
            try writer.append(line, time: time)
        }
        return true
    }

    /// Runs, in sealed order, of the copies a batch kept of an event an earlier batch holds, at another
    /// event_time than that first copy. Read from the identity runs (each event's copies in input order), and
    /// held in the first pass's batch, empty now, whose storage is already within the budget.
    private mutating func laterCopiesElsewhere() throws -> [SpillRun] {
        identityRuns = try SpillMerge.narrow(identityRuns, by: .identity, bufferBytes: readBuffer(SpillMerge.fanIn), into: &identityFile!)
        var identities = try SpillMerge(runs: identityRuns, bufferBytes: readBuffer(identityRuns.count), by: .identity)
        var drops = batch
        batch = SpillBatch(deduplicating: true)
        defer { scratch.giveBack(drops) }
        var runs: [SpillRun] = []
        var previous: [UInt8] = []
        var firstTime = Int64.min
        var first = true
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        try identities.forEach { time, seq, _, uuid, _ in
            if !first, uuid.elementsEqual(previous) {
                guard time != firstTime else { return }
                // No fingerprint: kept whatever the batch holds already (it lists copies, not events).
                _ = drops.add(none, uuid: uuid, fingerprint: nil, time: time, seq: seq)
                if drops.memory > batchBudget { runs.append(try drops.spill(sortedBy: .sealed, to: &identityFile!)) }
                return
            }
            first = false
            firstTime = time
            previous.removeAll(keepingCapacity: true)
            previous.append(contentsOf: uuid)
        }
        if !drops.isEmpty { runs.append(try drops.spill(sortedBy: .sealed, to: &identityFile!)) }
        return try SpillMerge.narrow(runs, by: .sealed, bufferBytes: readBuffer(SpillMerge.fanIn), into: &identityFile!)
    }

    /// Scratch file `index`, written from its start.
    private func runFile(_ index: Int) throws(StorageError) -> SpillRunFile {
        SpillRunFile(file: try scratch.file(index, in: directory), flushBytes: SpillRunFile.flushBytes(budget: budget))
    }

    /// Each run's read buffer: together they stay within a quarter of the budget.
    private func readBuffer(_ runs: Int) -> Int { SpillMerge.readBuffer(budget: budget, runs: runs) }
}
