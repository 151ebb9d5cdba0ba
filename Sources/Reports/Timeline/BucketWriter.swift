import Glibc
import StreamsArchive

/// Phase two of a timeline build: one bucket's spilled lines, sorted by (uid, event_time, event_uuid) in
/// byte order and written as gzip members of whole users, with an index line per uid.
///
/// Members hold about 64 KB of JSON, so a lookup inflates one small member, not the bucket. A bucket whose
/// lines fit its memory budget is sorted in memory; a larger one (a day with more users than the bucket count
/// foresaw, or one very active uid) is sorted through runs spilled beside its files (`SpillBatch`,
/// `SpillMerge`). Either way the lines reach `TimelineMembers` in the same order, which compresses a member
/// as it grows, so the files are byte-identical and no member, however large one user's day, is held whole.
struct BucketWriter {
    private static let plan = FieldPlan(topLevel: ["uid", "event_time"])

    let encoder: GzipMemberEncoder
    private let fields = FieldScanner(plan: plan)

    struct Written {
        var events = 0
        var users = 0
        var bytes: Int64 = 0
        /// The bucket did not fit its budget and was sorted through runs on disk.
        var spilled = false
        /// Over a build: how many buckets did not.
        var spilledBuckets = 0
    }

    /// Sorts the lines in the spill files `paths` (`bytes` in all) and writes `dataPath` and `indexPath`;
    /// writes nothing for an empty bucket. Runs, if needed, are `<runPrefix><n>` and are removed.
    func write(_ paths: [String], bytes: Int64, budget: Int, runPrefix: String, dataPath: String, indexPath: String) throws -> Written {
        var batch = SpillBatch(deduplicating: false)
        var runs: [String] = []
        var made = 0
        func nextRun() -> String {
            defer { made += 1 }
            return "\(runPrefix)\(made)"
        }
        defer { for index in 0..<made { try? Directory.removeFile("\(runPrefix)\(index)") } }
        let flushBytes = SpillRunWriter.flushBytes(budget: budget)
        // In memory when the lines, their sort fields and the sort's copy fit; else batches of the budget.
        let inMemory = bytes * 3 <= Int64(budget)
        var seq: Int64 = 0
        var consumed: Int64 = 0
        for path in paths {
            try PlainLineReader(path: path).forEachLine { line in
                let added = fields.scan(line) { event -> Bool in
                    guard let uid = event.text(TimelineSpill.uidSlot), let uuid = event.text(0) else { return false }
                    return batch.add(line, key: uid.bytes, uuid: uuid.bytes, fingerprint: nil, time: event.integer(Self.plan.slot("event_time")) ?? .min, seq: seq)
                }
                guard added == true else { throw TimelineError.unreadableSpill(offset: consumed) }
                seq += 1
                consumed += Int64(line.count + 1)
                if !inMemory, batch.memory > budget {
                    runs.append(nextRun())
                    try batch.spill(sortedBy: .timeline, to: runs.last!, flushBytes: flushBytes)
                }
            }
        }
        guard seq > 0 else { return Written() }
        var members = try TimelineMembers(encoder: encoder, dataPath: dataPath)
        if runs.isEmpty {
            try batch.forEach(sortedBy: .timeline) { line, _, uid in try members.add(line, uid: uid) }
        } else {
            if !batch.isEmpty {
                runs.append(nextRun())
                try batch.spill(sortedBy: .timeline, to: runs.last!, flushBytes: flushBytes)
            }
            let readBuffer = SpillMerge.readBuffer(budget: budget, runs: SpillMerge.fanIn)
            runs = try SpillMerge.narrow(runs, by: .timeline, bufferBytes: readBuffer, flushBytes: flushBytes, nextPath: nextRun)
            var merge = try SpillMerge(paths: runs, bufferBytes: SpillMerge.readBuffer(budget: budget, runs: runs.count), by: .timeline)
            while let record = try merge.next() {
                try record.line.withUnsafeBytes { try members.add($0, uid: record.key[...]) }
            }
        }
        var written = try members.finish(indexPath: indexPath)
        written.spilled = !runs.isEmpty
        return written
    }
}

/// Writes a bucket's sorted lines as gzip members of whole users: a member is closed at the first user
/// boundary after it holds `target` bytes of JSON. Each member is compressed while it grows (1 MiB at a
/// time), so memory stays small however many events one user has; the index gets a line per uid with its
/// member's offset and length.
struct TimelineMembers {
    static let target = 64 << 10

    private let encoder: GzipMemberEncoder
    private let data: POSIXFile
    private var index: [UInt8] = []
    private var pending: [(uid: ByteString, events: Int)] = []
    private var current: (uid: [UInt8], events: Int)?
    private var chunk: [UInt8] = []
    private var compressed: [UInt8] = []
    /// JSON bytes in the open member, and where it starts in the file.
    private var memberBytes = 0
    private var memberOffset: Int64 = 0
    private var offset: Int64 = 0
    private var written = BucketWriter.Written()

    init(encoder: GzipMemberEncoder, dataPath: String) throws {
        self.encoder = encoder
        data = try POSIXFile.createTruncating(dataPath)
    }

    /// The next line, in (uid, event_time, event_uuid) order; `uid` is its uid decoded.
    mutating func add(_ line: UnsafeRawBufferPointer, uid: ArraySlice<UInt8>) throws {
        if current.map({ !$0.uid.elementsEqual(uid) }) ?? true {
            endUser()
            if memberBytes >= Self.target { try closeMember() }
            current = (Array(uid), 0)
            written.users += 1
        }
        current!.events += 1
        written.events += 1
        chunk.append(contentsOf: line)
        chunk.append(0x0A)
        memberBytes += line.count + 1
        if chunk.count >= 1 << 20 { try compress(finish: false) }
    }

    /// Closes the last member, fsyncs the data, and writes and fsyncs the index.
    mutating func finish(indexPath: String) throws -> BucketWriter.Written {
        endUser()
        try closeMember()
        try data.sync()
        let indexFile = try POSIXFile.createTruncating(indexPath)
        try withBytes(index) { (raw) throws(StorageError) in try indexFile.write(raw) }
        try indexFile.sync()
        written.bytes = offset
        return written
    }

    private mutating func endUser() {
        if let current { pending.append((ByteString(current.uid), current.events)) }
        current = nil
    }

    private mutating func closeMember() throws {
        guard memberBytes > 0 else { return }
        try compress(finish: true)
        for user in pending {
            TimelineIndexLine(uid: user.uid, offset: memberOffset, length: offset - memberOffset, events: user.events).append(to: &index)
        }
        pending.removeAll(keepingCapacity: true)
        memberBytes = 0
        memberOffset = offset
    }

    private mutating func compress(finish: Bool) throws {
        try withBytes(chunk) { (raw) throws(CodecError) in try encoder.stream(raw, finish: finish, into: &compressed) }
        chunk.removeAll(keepingCapacity: true)
        try withBytes(compressed) { (raw) throws(StorageError) in try data.write(raw) }
        offset += Int64(compressed.count)
        compressed.removeAll(keepingCapacity: true)
    }
}
