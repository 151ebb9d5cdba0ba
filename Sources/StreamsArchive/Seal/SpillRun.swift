import Glibc

/// A sorted run of events spilled to disk by a step over its memory budget (seal's hours, timelines' buckets),
/// and read back in order.
///
/// A run is a hidden scratch file (seal: `_sealing-<pid>-run<n>.part` in the hour, which the next seal's
/// recovery removes if a crash left it; timelines: in the build's hidden version directory) holding records
/// `[event_time Int64][seq Int64][key length UInt32][uuid length UInt32][line length UInt32][key][uuid][line]`,
/// little-endian, in the order the step sorted them. `seq` is the line's place in the input, which decides
/// which copy of an event seal keeps; `key` is what timelines group by (the uid), empty for seal. Runs are not
/// fsynced and are removed when the step ends, whichever way it ends.
package struct SpillRecord {
    package var time: Int64
    package var seq: Int64
    package var key: [UInt8]
    package var uuid: [UInt8]
    package var line: [UInt8]
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
        time: Int64, seq: Int64, key: some Collection<UInt8>, uuid: some Collection<UInt8>, line: some Collection<UInt8>
    ) throws(StorageError) {
        Self.put(time, into: &buffer)
        Self.put(seq, into: &buffer)
        Self.put(UInt32(key.count), into: &buffer)
        Self.put(UInt32(uuid.count), into: &buffer)
        Self.put(UInt32(line.count), into: &buffer)
        buffer.append(contentsOf: key)
        buffer.append(contentsOf: uuid)
        buffer.append(contentsOf: line)
        if buffer.count >= flushBytes { try flush() }
    }

    package mutating func flush() throws(StorageError) {
        guard !buffer.isEmpty else { return }
        try withBytes(buffer) { (raw) throws(StorageError) in try file.write(raw) }
        buffer.removeAll(keepingCapacity: true)
    }

    private static func put(_ value: some FixedWidthInteger, into buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }
}

/// Reads a run's records in order through a buffer of at most `bufferBytes` (plus one record).
struct SpillRunReader {
    let path: String
    private let file: POSIXFile
    private var buffer: [UInt8] = []
    private var position = 0
    private var offset: Int64 = 0
    private let bufferBytes: Int

    init(path: String, bufferBytes: Int) throws(StorageError) {
        self.path = path
        self.bufferBytes = bufferBytes
        file = try POSIXFile.openForReading(path)
    }

    /// The next record, nil at the end of the run.
    mutating func next() throws -> SpillRecord? {
        guard try fill(28) else { return nil }
        let time = Int64(littleEndian: integer(at: position))
        let seq = Int64(littleEndian: integer(at: position + 8))
        let keyCount = Int(UInt32(littleEndian: integer(at: position + 16)))
        let uuidCount = Int(UInt32(littleEndian: integer(at: position + 20)))
        let lineCount = Int(UInt32(littleEndian: integer(at: position + 24)))
        guard try fill(28 + keyCount + uuidCount + lineCount) else { throw StorageError("read", path: path, reason: "spilled run ends inside a record") }
        var start = position + 28
        func take(_ count: Int) -> [UInt8] {
            defer { start += count }
            return Array(buffer[start..<start + count])
        }
        let record = SpillRecord(time: time, seq: seq, key: take(keyCount), uuid: take(uuidCount), line: take(lineCount))
        position = start
        return record
    }

    private func integer<T: FixedWidthInteger>(at index: Int) -> T {
        buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index, as: T.self) }
    }

    /// Makes `count` bytes available from `position`; false at a clean end of the run.
    private mutating func fill(_ count: Int) throws(StorageError) -> Bool {
        if buffer.count - position >= count { return true }
        buffer.removeSubrange(0..<position)
        position = 0
        while buffer.count < count {
            let more = try file.read(count: max(bufferBytes, count - buffer.count), at: offset)
            if more.isEmpty {
                if buffer.isEmpty { return false }
                throw StorageError("read", path: path, reason: "spilled run ends inside a record")
            }
            offset += Int64(more.count)
            buffer.append(contentsOf: more)
        }
        return true
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
                    try writer.append(time: record.time, seq: record.seq, key: record.key, uuid: record.uuid, line: record.line)
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
