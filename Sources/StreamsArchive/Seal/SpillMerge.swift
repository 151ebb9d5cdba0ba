/// Merges sorted runs (`SpillRun`) into one order: a linear scan of the runs' heads, each read where it lies
/// in its run's read buffer, so merging copies no record (`narrow` first keeps the runs to `fanIn`).
///
/// A run that ends inside a record, or whose record claims more bytes than the run has left, is a
/// `StorageError` naming the scratch file and offset (the step fails and removes its scratch).
package struct SpillMerge {
    private var readers: [SpillRunReader]
    private let order: SpillOrder

    /// Each run's read buffer when `runs` are merged within `budget` bytes: together a quarter of it, each
    /// between 4 and 64 KiB.
    package static func readBuffer(budget: Int, runs: Int) -> Int { max(4096, min(1 << 16, budget / (4 * max(1, runs)))) }

    package init(runs: [SpillRun], bufferBytes: Int, by order: SpillOrder) throws(StorageError) {
        readers = []
        for run in runs { readers.append(try SpillRunReader(run: run, bufferBytes: bufferBytes)) }
        self.order = order
    }

    /// Calls `body` with every record of the runs, in order (the fields are valid only during the call).
    package mutating func forEach(
        _ body: (_ time: Int64, _ seq: Int64, _ key: UnsafeRawBufferPointer, _ uuid: UnsafeRawBufferPointer, _ line: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        while let best = first() {
            try readers[best].withHead(body)
            try readers[best].advance()
        }
    }

    /// `body`'s answer for the next record in order, which stays next; nil once every run is done.
    package func withNext<T>(
        _ body: (_ time: Int64, _ seq: Int64, _ key: UnsafeRawBufferPointer, _ uuid: UnsafeRawBufferPointer, _ line: UnsafeRawBufferPointer) throws -> T
    ) rethrows -> T? {
        guard let best = first() else { return nil }
        var result: T?
        try readers[best].withHead { result = try body($0, $1, $2, $3, $4) }
        return result
    }

    /// Moves past the next record.
    package mutating func skipNext() throws {
        if let best = first() { try readers[best].advance() }
    }

    /// The run whose head comes next, if any is left.
    private func first() -> Int? {
        var best: Int?
        for index in readers.indices where !readers[index].isDone {
            if best == nil || precedes(index, best!) { best = index }
        }
        return best
    }

    /// Whether run `a`'s head sorts before run `b`'s.
    private func precedes(_ a: Int, _ b: Int) -> Bool {
        var result = false
        readers[a].withHead { aTime, aSeq, aKey, aUUID, _ in
            readers[b].withHead { bTime, bSeq, bKey, bUUID, _ in
                result = order.precedes((aTime, aSeq, aKey, aUUID), (bTime, bSeq, bKey, bUUID))
            }
        }
        return result
    }
}

extension SpillMerge {
    /// How many runs one merge reads at once: a read buffer each.
    package static let fanIn = 64

    /// Merges `runs` down to at most `fanIn` runs, `fanIn` at a time, each group into a new run appended to
    /// `file` in the same order; so no merge reads more than `fanIn` runs, and each record is compared with
    /// `fanIn` heads at most, however many runs a small budget made. The merged runs' space is given back when
    /// the file is removed.
    package static func narrow(_ runs: [SpillRun], by order: SpillOrder, bufferBytes: Int, into file: inout SpillRunFile) throws -> [SpillRun] {
        var runs = runs
        while runs.count > fanIn {
            var narrowed: [SpillRun] = []
            for start in stride(from: 0, to: runs.count, by: fanIn) {
                let group = Array(runs[start..<min(start + fanIn, runs.count)])
                guard group.count > 1 else {
                    narrowed += group
                    continue
                }
                var merge = try SpillMerge(runs: group, bufferBytes: bufferBytes, by: order)
                try merge.forEach { time, seq, key, uuid, line in try file.append(time: time, seq: seq, key: key, uuid: uuid, line: line) }
                narrowed.append(try file.endRun())
            }
            runs = narrowed
        }
        return runs
    }
}

/// Reads a run's records in order through one buffer (`BufferedFileReader`: `bufferBytes`, or the run's size
/// if smaller, grown only to hold a record larger than that). The record at the front, the head, stays where
/// it lies in the buffer until `advance`.
struct SpillRunReader {
    private var reader: BufferedFileReader
    /// The head's size; 0 once the run is done (a record is at least `SpillRecord.headerBytes`).
    private var head = 0

    init(run: SpillRun, bufferBytes: Int) throws(StorageError) {
        reader = BufferedFileReader(file: run.file, region: run.region, bufferBytes: bufferBytes)
        try advance()
    }

    var isDone: Bool { head == 0 }

    /// Calls `body` with the head's fields (valid only during the call); the run must not be done.
    func withHead(
        _ body: (_ time: Int64, _ seq: Int64, _ key: UnsafeRawBufferPointer, _ uuid: UnsafeRawBufferPointer, _ line: UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        try reader.withUnread(head) { raw in try SpillRecord.fields(in: raw, at: 0, body) }
    }

    /// Drops the head and reads the next record, if the run has one.
    mutating func advance() throws(StorageError) {
        reader.skip(head)
        head = 0
        guard try reader.fill(SpillRecord.headerBytes) else {
            if reader.unread == 0 { return }
            throw damaged("the run ends inside a record's fixed part")
        }
        let count = SpillRecord.size(keyCount: reader.uint32(at: 16), uuidCount: reader.uint32(at: 20), lineCount: reader.uint32(at: 24))
        // Checked before `fill` grows the buffer, so damaged lengths fail at once instead of allocating them.
        guard Int64(count) <= reader.remaining, try reader.fill(count) else { throw damaged("a record of \(count) bytes runs past the run's end") }
        head = count
    }

    private func damaged(_ reason: String) -> StorageError {
        StorageError("read", path: reader.path, reason: "spilled run damaged at offset \(reader.consumedOffset): \(reason)")
    }
}
