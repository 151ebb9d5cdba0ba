/// Lines held in memory with each one's sort fields (time, input order, key, identity), sorted and either
/// handed on in order or spilled as a run (`SpillRun`); optionally keeping only the first copy of each
/// identity. What seal's `HourSorter` and timelines' bucket writer fill up to their memory budget.
package struct SpillBatch {
    package let deduplicating: Bool
    private var lines: [UInt8] = []
    private var fields: [UInt8] = []
    private var entries: [(line: Range<Int>, time: Int64, key: Range<Int>, uuid: Range<Int>, seq: Int64)] = []
    private var firstCopies = FirstCopyIndex()

    package init(deduplicating: Bool) { self.deduplicating = deduplicating }

    package var isEmpty: Bool { entries.isEmpty }

    /// Bytes held, counting what the arrays and the index have reserved, and half as much again: an array
    /// that grows holds its old storage and its new one while it copies.
    package var memory: Int { (lines.capacity + fields.capacity + entries.capacity * 56 + firstCopies.memory) * 3 / 2 }

    /// Adds a line; false (and nothing added) when deduplicating and it is a later copy of an identity here.
    /// `key` is what timelines group by (none for seal).
    package mutating func add(
        _ line: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0), uuid: UnsafeRawBufferPointer,
        fingerprint: Fingerprint?, time: Int64, seq: Int64
    ) -> Bool {
        if deduplicating, let fingerprint {
            if let first = firstCopies.entry(for: fingerprint), fields[entries[first].uuid].withUnsafeBytes({ $0.elementsEqual(uuid) }) { return false }
            firstCopies.record(fingerprint, entry: entries.count)
        }
        let start = lines.count
        lines.append(contentsOf: line)
        let keyRange = fields.count..<(fields.count + key.count)
        fields.append(contentsOf: key)
        let uuidRange = fields.count..<(fields.count + uuid.count)
        fields.append(contentsOf: uuid)
        entries.append((start..<lines.count, time, keyRange, uuidRange, seq))
        return true
    }

    /// Empties the batch and keeps its storage, for a caller that fills it again to about the same size.
    package mutating func removeAll() {
        lines.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        firstCopies = FirstCopyIndex()
    }

    private mutating func sort(by order: SpillOrder) {
        fields.withUnsafeBytes { fields in
            entries.sort { a, b in
                order.precedes(
                    (a.time, a.seq, UnsafeRawBufferPointer(rebasing: fields[a.key]), UnsafeRawBufferPointer(rebasing: fields[a.uuid])),
                    (b.time, b.seq, UnsafeRawBufferPointer(rebasing: fields[b.key]), UnsafeRawBufferPointer(rebasing: fields[b.uuid]))
                )
            }
        }
    }

    /// Sorts the lines and writes them to a new run at `path`, then empties the batch.
    package mutating func spill(sortedBy order: SpillOrder, to path: String, flushBytes: Int) throws {
        sort(by: order)
        var writer = try SpillRunWriter(path: path, flushBytes: flushBytes)
        try lines.withUnsafeBytes { lines in
            try fields.withUnsafeBytes { fields in
                for entry in entries {
                    try writer.append(
                        time: entry.time, seq: entry.seq, key: UnsafeRawBufferPointer(rebasing: fields[entry.key]),
                        uuid: UnsafeRawBufferPointer(rebasing: fields[entry.uuid]), line: UnsafeRawBufferPointer(rebasing: lines[entry.line])
                    )
                }
            }
        }
        try writer.flush()
        self = SpillBatch(deduplicating: deduplicating)
    }

    /// Sorts the lines and hands each on in order, with its time and key.
    package mutating func forEach(sortedBy order: SpillOrder, _ body: (UnsafeRawBufferPointer, Int64, ArraySlice<UInt8>) throws -> Void) throws {
        sort(by: order)
        try lines.withUnsafeBytes { raw in
            for entry in entries { try body(UnsafeRawBufferPointer(rebasing: raw[entry.line]), entry.time, fields[entry.key]) }
        }
    }
}
