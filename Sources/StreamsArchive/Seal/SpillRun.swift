import Glibc

/// A sorted run of events spilled to disk by a step over its memory budget (seal's hours, timelines' buckets),
/// and read back in order.
///
/// A run is a hidden scratch file (seal: `_sealing-<pid>-run<n>.part` in the hour, which the next seal's
/// recovery removes if a crash left it; timelines: in the build's hidden version directory) holding records
/// `[event_time Int64][seq Int64][key length UInt32][uuid length UInt32][line length UInt32][key][uuid][line]`,
/// little-endian, in the order the step sorted them. `seq` is the line's place in the input, which decides
/// which copy of an event seal keeps; `key` is what timelines group by (the uid), empty for seal. Runs are not
/// fsynced and are removed when the step ends, whichever way it ends. Timelines' phase one writes its unsorted
/// per-bucket spill files as records of this format, in LZ4 blocks, so phase two reads each line's uid, time and
/// uuid without scanning its JSON again.
package struct SpillRecord {
    package var time: Int64
    package var seq: Int64
    package var key: [UInt8]
    package var uuid: [UInt8]
    package var line: [UInt8]
}

extension SpillRecord {
    /// The size of a record from the lengths in its fixed part.
    package static func size(keyCount: UInt32, uuidCount: UInt32, lineCount: UInt32) -> Int {
        SpillRunWriter.headerBytes + Int(keyCount) + Int(uuidCount) + Int(lineCount)
    }

    /// The size of the record that starts at `position` of `raw`, whose fixed part must be there.
    package static func size(in raw: UnsafeRawBufferPointer, at position: Int) -> Int {
        func length(_ at: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position + at, as: UInt32.self)) }
        return size(keyCount: length(16), uuidCount: length(20), lineCount: length(24))
    }

    /// Calls `body` with the fields of the record at `position` of `raw`, all of which must be there (`size`).
    /// Not generic: it is called per record from other modules (see `BufferedFileReader.consume`).
    package static func fields(
        in raw: UnsafeRawBufferPointer, at position: Int,
        _ body: (_ time: Int64, _ seq: Int64, _ key: UnsafeRawBufferPointer, _ uuid: UnsafeRawBufferPointer, _ line: UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        let key = position + SpillRunWriter.headerBytes
        let uuid = key + Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position + 16, as: UInt32.self)))
        let line = uuid + Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position + 20, as: UInt32.self)))
        let end = line + Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position + 24, as: UInt32.self)))
        try body(
            Int64(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: Int64.self)),
            Int64(littleEndian: raw.loadUnaligned(fromByteOffset: position + 8, as: Int64.self)),
            UnsafeRawBufferPointer(rebasing: raw[key..<uuid]), UnsafeRawBufferPointer(rebasing: raw[uuid..<line]),
            UnsafeRawBufferPointer(rebasing: raw[line..<end])
        )
    }
}

/// The orders spilled events are sorted by.
package enum SpillOrder: Sendable {
    /// By event identity, then input order (an event's first copy first): for keeping one copy.
    case identity
    /// By event_time, then identity: the sealed file's order.
    case sealed
    /// By key (uid), then event_time, then identity: a timeline bucket's order.
    case timeline

    /// Whether `a` sorts before `b`; keys and uuids are compared byte by byte, a prefix first.
    func precedes(
        _ a: (time: Int64, seq: Int64, key: UnsafeRawBufferPointer, uuid: UnsafeRawBufferPointer),
        _ b: (time: Int64, seq: Int64, key: UnsafeRawBufferPointer, uuid: UnsafeRawBufferPointer)
    ) -> Bool {
        switch self {
        case .identity:
            let uuids = Self.compare(a.uuid, b.uuid)
            return uuids == 0 ? a.seq < b.seq : uuids < 0
        case .sealed:
            return a.time != b.time ? a.time < b.time : Self.compare(a.uuid, b.uuid) < 0
        case .timeline:
            let keys = Self.compare(a.key, b.key)
            return keys != 0 ? keys < 0 : a.time != b.time ? a.time < b.time : Self.compare(a.uuid, b.uuid) < 0
        }
    }

    func precedes(_ a: SpillRecord, _ b: SpillRecord) -> Bool {
        a.key.withUnsafeBytes { aKey in
            a.uuid.withUnsafeBytes { aUUID in
                b.key.withUnsafeBytes { bKey in
                    b.uuid.withUnsafeBytes { bUUID in precedes((a.time, a.seq, aKey, aUUID), (b.time, b.seq, bKey, bUUID)) }
                }
            }
        }
    }

    /// Byte order, as `lexicographicallyPrecedes` gives it: negative, zero or positive.
    private static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0, case let order = memcmp(a.baseAddress!, b.baseAddress!, common), order != 0 { return Int(order) }
        return a.count - b.count
    }
}

/// Writes records to a run file through a buffer.
package struct SpillRunWriter {
    let path: String
    private let file: POSIXFile
    private var buffer: [UInt8] = []
    private let flushBytes: Int

    /// The write buffer for a step with `budget` bytes: an eighth of it, between 4 KiB and 1 MiB.
    package static func flushBytes(budget: Int) -> Int { max(4096, min(1 << 20, budget / 8)) }

    package init(path: String, flushBytes: Int) throws(StorageError) {
        self.path = path
        self.flushBytes = flushBytes
        file = try POSIXFile.createTruncating(path)
    }

    mutating func append(
        time: Int64, seq: Int64, key: UnsafeRawBufferPointer, uuid: UnsafeRawBufferPointer, line: UnsafeRawBufferPointer
    ) throws(StorageError) {
        Self.encode(time: time, seq: seq, key: key, uuid: uuid, line: line, into: &buffer)
        if buffer.count >= flushBytes { try flush() }
    }

    mutating func append(_ record: SpillRecord) throws(StorageError) {
        try withBytes(record.key) { (key) throws(StorageError) in
            try withBytes(record.uuid) { (uuid) throws(StorageError) in
                try withBytes(record.line) { (line) throws(StorageError) in
                    try append(time: record.time, seq: record.seq, key: key, uuid: uuid, line: line)
                }
            }
        }
    }

    /// Appends one record, in the run format, to `buffer`: for writers that keep their own buffers (timelines'
    /// phase one, which spills unsorted records per bucket).
    package static func encode(
        time: Int64, seq: Int64, key: UnsafeRawBufferPointer, uuid: UnsafeRawBufferPointer, line: UnsafeRawBufferPointer,
        into buffer: inout [UInt8]
    ) {
        let header = (time.littleEndian, seq.littleEndian, UInt32(key.count).littleEndian, UInt32(uuid.count).littleEndian, UInt32(line.count).littleEndian)
        withUnsafeBytes(of: header) { buffer.append(contentsOf: $0.prefix(headerBytes)) }
        buffer.append(contentsOf: key)
        buffer.append(contentsOf: uuid)
        buffer.append(contentsOf: line)
    }

    package mutating func flush() throws(StorageError) {
        guard !buffer.isEmpty else { return }
        try withBytes(buffer) { (raw) throws(StorageError) in try file.write(raw) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// A record's fixed part: event_time, seq, and the three lengths.
    package static let headerBytes = 28
}

/// Reads a run's records in order through one buffer (`BufferedFileReader`): `bufferBytes`, or the run's size
/// if smaller, grown only to hold a record larger than that.
package struct SpillRunReader {
    private var reader: BufferedFileReader

    package init(path: String, bufferBytes: Int) throws(StorageError) {
        reader = try BufferedFileReader(path: path, bufferBytes: bufferBytes)
    }

    /// The next record, nil at the end of the run.
    mutating func next() throws(StorageError) -> SpillRecord? {
        guard try reader.fill(SpillRunWriter.headerBytes) else {
            if reader.unread == 0 { return nil }
            throw StorageError("read", path: reader.path, reason: "spilled run ends inside a record")
        }
        let count = SpillRecord.size(keyCount: reader.uint32(at: 16), uuidCount: reader.uint32(at: 20), lineCount: reader.uint32(at: 24))
        guard try reader.fill(count) else { throw StorageError("read", path: reader.path, reason: "spilled run ends inside a record") }
        var record: SpillRecord?
        reader.consume(count) { raw in
            SpillRecord.fields(in: raw, at: 0) { time, seq, key, uuid, line in
                record = SpillRecord(time: time, seq: seq, key: Array(key), uuid: Array(uuid), line: Array(line))
            }
        }
        return record
    }
}

/// Merges sorted runs into one order (a linear scan of the runs' heads: `narrow` first keeps them to `fanIn`).
package struct SpillMerge {
    private var readers: [SpillRunReader]
    private var heads: [SpillRecord?]
    private let order: SpillOrder

    /// Each run's read buffer when `runs` are merged within `budget` bytes: together a quarter of it, each
    /// between 4 and 64 KiB.
    package static func readBuffer(budget: Int, runs: Int) -> Int { max(4096, min(1 << 16, budget / (4 * max(1, runs)))) }

    package init(paths: [String], bufferBytes: Int, by order: SpillOrder) throws {
        readers = try paths.map { try SpillRunReader(path: $0, bufferBytes: bufferBytes) }
        heads = []
        for index in readers.indices { heads.append(try readers[index].next()) }
        self.order = order
    }

    package mutating func next() throws -> SpillRecord? {
        var best: Int?
        for (index, head) in heads.enumerated() {
            guard let head else { continue }
            if let current = best, !order.precedes(head, heads[current]!) { continue }
            best = index
        }
        guard let best else { return nil }
        let record = heads[best]!
        heads[best] = try readers[best].next()
        return record
    }
}

extension SpillMerge {
    /// How many runs one merge reads at once: a file descriptor and a read buffer each.
    package static let fanIn = 64

    /// Merges `paths` down to at most `fanIn` runs, `fanIn` at a time, each group into a new run (at the path
    /// `nextPath` gives) in the same order, its inputs removed; so no merge opens more than `fanIn` files, and
    /// each record is compared with `fanIn` heads at most, however many runs a small budget made.
    package static func narrow(
        _ paths: [String], by order: SpillOrder, bufferBytes: Int, flushBytes: Int, nextPath: () -> String
    ) throws -> [String] {
        var paths = paths
        while paths.count > fanIn {
            var narrowed: [String] = []
            for start in stride(from: 0, to: paths.count, by: fanIn) {
                let group = Array(paths[start..<min(start + fanIn, paths.count)])
                guard group.count > 1 else {
                    narrowed += group
                    continue
                }
                let path = nextPath()
                var merge = try SpillMerge(paths: group, bufferBytes: bufferBytes, by: order)
                var writer = try SpillRunWriter(path: path, flushBytes: flushBytes)
                while let record = try merge.next() {
                    try writer.append(record)
                }
                try writer.flush()
                for input in group { try Directory.removeFile(input) }
                narrowed.append(path)
            }
            paths = narrowed
        }
        return paths
    }
}
