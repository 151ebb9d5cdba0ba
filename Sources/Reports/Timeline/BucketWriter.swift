import Glibc
import StreamsArchive

/// Phase two of a timeline build: one bucket's spilled lines, sorted by (uid, event_time, event_uuid) in
/// byte order and written as gzip members of whole users, with an index line per uid.
///
/// Members hold about 64 KB of JSON, so a lookup inflates one small member, not the bucket. Memory is one
/// bucket's lines, which `TimelineBuckets` keeps near 8 MB.
struct BucketWriter {
    static let memberTarget = 64 << 10
    private static let plan = FieldPlan(topLevel: ["uid", "event_time"])

    let encoder: GzipMemberEncoder
    private let fields = FieldScanner(plan: plan)

    struct Written {
        var events = 0
        var users = 0
        var bytes: Int64 = 0
    }

    /// A line and its sort key; uid and uuid decoded, so escaped and plain spellings of a uid are one user.
    private struct Entry {
        let line: Range<Int>
        let uid: ByteString
        let uuid: ByteString
        let time: Int64
    }

    /// Sorts the lines in `spilled` and writes `dataPath` and `indexPath`; writes nothing for an empty bucket.
    func write(_ spilled: [UInt8], dataPath: String, indexPath: String) throws -> Written {
        let entries = try sortedEntries(spilled)
        guard !entries.isEmpty else { return Written() }
        let data = try POSIXFile.createTruncating(dataPath)
        var index: [UInt8] = []
        var member: [UInt8] = []
        var pending: [(uid: ByteString, events: Int)] = []
        var offset: Int64 = 0
        var written = Written()
        func flushMember() throws {
            guard !member.isEmpty else { return }
            let compressed = try encoder.member(of: member)
            try withBytes(compressed) { (raw) throws(StorageError) in try data.write(raw) }
            for user in pending {
                TimelineIndexLine(uid: user.uid, offset: offset, length: Int64(compressed.count), events: user.events).append(to: &index)
            }
            offset += Int64(compressed.count)
            member.removeAll(keepingCapacity: true)
            pending.removeAll(keepingCapacity: true)
        }
        var start = 0
        while start < entries.count {
            var end = start + 1
            while end < entries.count && entries[end].uid == entries[start].uid { end += 1 }
            if member.count >= Self.memberTarget { try flushMember() }
            for entry in entries[start..<end] {
                member.append(contentsOf: spilled[entry.line])
                member.append(0x0A)
            }
            pending.append((entries[start].uid, end - start))
            written.users += 1
            start = end
        }
        try flushMember()
        try data.sync()
        let indexFile = try POSIXFile.createTruncating(indexPath)
        try withBytes(index) { (raw) throws(StorageError) in try indexFile.write(raw) }
        try indexFile.sync()
        written.events = entries.count
        written.bytes = offset
        return written
    }

    private func sortedEntries(_ spilled: [UInt8]) throws -> [Entry] {
        var entries: [Entry] = []
        let time = Self.plan.slot("event_time")
        try spilled.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count {
                let end = raw[start...].firstIndex(of: 0x0A) ?? raw.count
                let entry = fields.scan(UnsafeRawBufferPointer(rebasing: raw[start..<end])) { event -> Entry? in
                    guard let uid = event.text(TimelineSpill.uidSlot), let uuid = event.text(0) else { return nil }
                    return Entry(line: start..<end, uid: uid, uuid: uuid, time: event.integer(time) ?? .min)
                }
                guard let entry = entry ?? nil else { throw TimelineError.unreadableSpill(offset: Int64(start)) }
                entries.append(entry)
                start = end + 1
            }
        }
        return entries.sorted { ($0.uid, $0.time, $0.uuid) < ($1.uid, $1.time, $1.uuid) }
    }
}

