import Glibc

/// The record format of spilled events, and the orders they are sorted by.
///
/// A record is `[event_time Int64][seq Int64][key length UInt32][uuid length UInt32][line length UInt32]
/// [key][uuid][line]`, little-endian. `seq` is the line's place in the input, which decides which copy of an
/// event seal keeps; `key` is what timelines group by (the uid), empty for seal. Seal's and timelines' sorted
/// runs hold records end to end (`SpillRunFile`); timelines' phase one writes its unsorted per-bucket spill
/// files as records in LZ4 blocks, so phase two reads each line's uid, time and uuid without scanning its JSON
/// again. Records are scratch: never fsynced, removed when the step ends.
package enum SpillRecord {
    /// A record's fixed part: event_time, seq, and the three lengths.
    package static let headerBytes = 28

    /// Appends one record to `buffer`.
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

    /// The size of a record from the lengths in its fixed part.
    package static func size(keyCount: UInt32, uuidCount: UInt32, lineCount: UInt32) -> Int {
        headerBytes + Int(keyCount) + Int(uuidCount) + Int(lineCount)
    }

    /// The size of the record that starts at `position` of `raw`, whose fixed part must be there.
    package static func size(in raw: UnsafeRawBufferPointer, at position: Int) -> Int {
        func length(_ at: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position + at, as: UInt32.self)) }
        return size(keyCount: length(16), uuidCount: length(20), lineCount: length(24))
    }

    /// Calls `body` with the fields of the record at `position` of `raw`, all of which must be there (`size`).
    /// Not generic: it is called per record from other modules (see `BufferedFileReader.withUnread`).
    package static func fields(
        in raw: UnsafeRawBufferPointer, at position: Int,
        _ body: (_ time: Int64, _ seq: Int64, _ key: UnsafeRawBufferPointer, _ uuid: UnsafeRawBufferPointer, _ line: UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        let key = position + headerBytes
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
    /// By event_time, then identity, then input order: the sealed file's order (which holds one copy of each
    /// identity, so input order only orders the copies a spilled seal has not dropped yet).
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
            if a.time != b.time { return a.time < b.time }
            let uuids = Self.compare(a.uuid, b.uuid)
            return uuids == 0 ? a.seq < b.seq : uuids < 0
        case .timeline:
            let keys = Self.compare(a.key, b.key)
            return keys != 0 ? keys < 0 : a.time != b.time ? a.time < b.time : Self.compare(a.uuid, b.uuid) < 0
        }
    }

    /// Byte order, as `lexicographicallyPrecedes` gives it: negative, zero or positive.
    private static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0, case let order = memcmp(a.baseAddress!, b.baseAddress!, common), order != 0 { return Int(order) }
        return a.count - b.count
    }
}
