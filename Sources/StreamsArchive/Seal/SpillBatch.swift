/// Lines held in memory with each one's sort fields (time, input order, key, identity), sorted and either
/// handed on in order or spilled as a run (`SpillRun`); optionally keeping only the first copy of each
/// identity. What seal's `HourSorter` and timelines' bucket writer fill up to their memory budget.
package struct SpillBatch {
    package let deduplicating: Bool
    private var lines: [UInt8] = []
    private var fields: [UInt8] = []
    private typealias Entry = (line: Range<Int>, time: Int64, key: Range<Int>, uuid: Range<Int>, seq: Int64)
    private var entries: [Entry] = []
    private var firstCopies = FirstCopyIndex()
    /// The lines' reservation (`reservingLines`, as the allocator rounded it).
    package let reservedLines: Int

    /// `reservingLines`: room for that many bytes of lines, taken at once (address space: its pages count only
    /// as lines fill them), so a batch filled to its budget never copies its lines to grow.
    package init(deduplicating: Bool, reservingLines: Int = 0) {
        self.deduplicating = deduplicating
        lines.reserveCapacity(reservingLines)
        reservedLines = lines.capacity
    }

    package var isEmpty: Bool { entries.isEmpty }

    /// Bytes held: the lines filled, while they are within their reservation; past it (or with none), like the
    /// other arrays and the index, what they have reserved and half as much again, for an array that grows
    /// holds its old storage and its new one while it copies (the sort's scratch is half the entries).
    package var memory: Int {
        let lineBytes = lines.capacity <= reservedLines ? lines.count : lines.capacity * 3 / 2
        return lineBytes + (fields.capacity + entries.capacity * MemoryLayout<Entry>.stride + firstCopies.memory) * 3 / 2
    }

    /// The most one record adds to `memory` of a batch whose lines are reserved: its line, its key and uuid
    /// in `fields` (capacity up to twice what is held, and half as much again), its entry (the same).
    package static func memory(lineBytes: Int, keyBytes: Int, uuidBytes: Int) -> Int {
        lineBytes + 3 * (keyBytes + uuidBytes + MemoryLayout<Entry>.stride)
    }

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

    /// Empties the batch and keeps its storage, for a caller that fills it again to about the same size (what
    /// stays resident is what the last filling touched).
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

    /// Sorts the lines, appends them to `file` as one run and empties the batch (keeping its storage).
    package mutating func spill(sortedBy order: SpillOrder, to file: inout SpillRunFile) throws -> SpillRun {
        sort(by: order)
        try lines.withUnsafeBytes { lines in
            try fields.withUnsafeBytes { fields in
                for entry in entries {
                    try file.append(
                        time: entry.time, seq: entry.seq, key: UnsafeRawBufferPointer(rebasing: fields[entry.key]),
                        uuid: UnsafeRawBufferPointer(rebasing: fields[entry.uuid]), line: UnsafeRawBufferPointer(rebasing: lines[entry.line])
                    )
                }
            }
        }
        removeAll()
        return try file.endRun()
    }

    /// Sorts the entries by identity and appends them to `file` as one run of identities only (time, input
    /// order and uuid; no key, no line); the batch keeps its lines.
    package mutating func spillIdentities(to file: inout SpillRunFile) throws -> SpillRun {
        sort(by: .identity)
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        try fields.withUnsafeBytes { fields in
            for entry in entries {
                try file.append(time: entry.time, seq: entry.seq, key: none, uuid: UnsafeRawBufferPointer(rebasing: fields[entry.uuid]), line: none)
            }
        }
        return try file.endRun()
    }

    /// Sorts the lines and hands each on in order, with its time and key (valid only during the call).
    package mutating func forEach(sortedBy order: SpillOrder, _ body: (UnsafeRawBufferPointer, Int64, UnsafeRawBufferPointer) throws -> Void) throws {
        sort(by: order)
        try lines.withUnsafeBytes { lines in
            try fields.withUnsafeBytes { fields in
                for entry in entries {
                    try body(UnsafeRawBufferPointer(rebasing: lines[entry.line]), entry.time, UnsafeRawBufferPointer(rebasing: fields[entry.key]))
                }
            }
        }
    }
}
