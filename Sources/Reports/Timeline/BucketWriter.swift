import Glibc
import StreamsArchive

/// Phase two of a timeline build: one bucket's spilled records (`TimelineSpill`), sorted by (uid, event_time, event_uuid) in
/// byte order and written as gzip members of whole users, with an index line per uid.
///
/// Members hold about 64 KB of JSON, so a lookup inflates one small member, not the bucket. A bucket whose
/// lines fit its memory budget is sorted in memory; a larger one (a day with more users than the bucket count
/// foresaw, or one very active uid) is sorted through runs spilled beside its files (`SpillBatch`,
/// `SpillMerge`). Either way the lines reach `TimelineMembers` in the same order, which compresses a member
/// 1 MiB at a time as it grows, so the files are byte-identical and no member, however large one user's day,
/// is held whole.
struct BucketWriter {
    let compressor: WholeMemberCompressor
    /// The last bucket's batch, emptied but keeping its storage: the next bucket, of about the same size,
    /// fills it without growing its arrays again and faulting in fresh pages. What it keeps is within the
    /// worker's budget: a batch that reaches it is spilled.
    private var batch = SpillBatch(deduplicating: false)

    init(compressor: WholeMemberCompressor) { self.compressor = compressor }

    struct Written {
        var events = 0
        var users = 0
        var bytes: Int64 = 0
        /// The bucket did not fit its budget and was sorted through runs on disk.
        var spilled = false
        /// Over a build: how many buckets did not.
        var spilledBuckets = 0

        /// Adds what a bucket, or a sum of buckets, wrote.
        mutating func add(_ other: Written) {
            events += other.events
            users += other.users
            bytes += other.bytes
            spilledBuckets += other.spilledBuckets + (other.spilled ? 1 : 0)
        }
    }

    /// Sorts the records in the spill files `paths` (a batch of all of them would hold `memory` bytes at most,
    /// `SpillBatch.memory`) and writes `dataPath` and `indexPath`, whose
    /// fsyncs go to `sync` (tagged `tag`); writes nothing for an empty bucket. Runs, if needed, are in an
    /// unnamed file in `scratchDirectory` (named `runName` where files cannot be unnamed).
    mutating func write(
        _ paths: [String], memory: Int64, budget: Int, scratchDirectory: String, runName: String, dataPath: String, indexPath: String, sync: BackgroundSync, tag: Int
    ) throws -> Written {
        // In memory when the batch of all of it fits (`memory`, summed by phase one); else batches of the budget.
        let inMemory = memory <= Int64(budget)
        // One batch for every bucket of the worker, reserved once at the budget: buckets of about one size
        // reuse its pages instead of each taking and giving back their own.
        if batch.reservedLines < budget { batch = SpillBatch(deduplicating: false, reservingLines: budget) }
        batch.removeAll()
        defer { batch.removeAll() }
        let flushBytes = SpillRunFile.flushBytes(budget: budget)
        // Runs, if the bucket needs them, go to one unnamed scratch file, gone when the bucket is written.
        var runFile: SpillRunFile?
        var runs: [SpillRun] = []
        func spill() throws {
            if runFile == nil {
                let file = try POSIXFile.createUnnamed(in: scratchDirectory, fallbackName: runName)
                runFile = SpillRunFile(file: file, flushBytes: flushBytes)
            }
            runs.append(try batch.spill(sortedBy: .timeline, to: &runFile!))
        }
        var seq: Int64 = 0
        for path in paths {
            var records = try SpillBlocks.Reader(path: path, bufferBytes: flushBytes)
            try records.forEachRecord { time, uid, uuid, line in
                _ = batch.add(line, key: uid, uuid: uuid, fingerprint: nil, time: time, seq: seq)
                seq += 1
                if !inMemory, batch.memory > budget { try spill() }
            }
        }
        guard seq > 0 else { return Written() }
        var members = try TimelineMembers(compressor: compressor, dataPath: dataPath)
        if runs.isEmpty {
            try batch.forEach(sortedBy: .timeline) { line, _, uid in try members.add(line, uid: uid) }
        } else {
            if !batch.isEmpty { try spill() }
            let readBuffer = SpillMerge.readBuffer(budget: budget, runs: SpillMerge.fanIn)
            runs = try SpillMerge.narrow(runs, by: .timeline, bufferBytes: readBuffer, into: &runFile!)
            var merge = try SpillMerge(runs: runs, bufferBytes: SpillMerge.readBuffer(budget: budget, runs: runs.count), by: .timeline)
            try merge.forEach { _, _, uid, _, line in try members.add(line, uid: uid) }
        }
        var written = try members.finish(indexPath: indexPath, sync: sync, tag: tag)
        written.spilled = !runs.isEmpty
        return written
    }
}

/// Writes a bucket's sorted lines as members of whole users: a member is closed at the first user boundary
/// after it holds `target` bytes of JSON. A member is one gzip member, or, for a user with more than 1 MiB of
/// lines, one per MiB as it grows (libdeflate compresses whole buffers), so memory stays small however many
/// events one user has; the index gets a line per uid with its member's offset and length, which a reader
/// inflates as one stream of gzip members.
struct TimelineMembers {
    static let target = 64 << 10

    private let compressor: WholeMemberCompressor
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

    init(compressor: WholeMemberCompressor, dataPath: String) throws {
        self.compressor = compressor
        data = try POSIXFile.createTruncating(dataPath)
    }

    /// The next line, in (uid, event_time, event_uuid) order; `uid` is its uid decoded.
    mutating func add(_ line: UnsafeRawBufferPointer, uid: UnsafeRawBufferPointer) throws {
        if current.map({ !Self.same($0.uid, uid) }) ?? true {
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
        if chunk.count >= 1 << 20 { try compress() }
    }

    /// Whether two uids are the same bytes (memcmp: this runs for every line of the day).
    private static func same(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && a.withUnsafeBytes { a in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
    }

    /// Closes the last member and writes the index; both files' fsyncs go to `sync`, behind the next bucket.
    mutating func finish(indexPath: String, sync: BackgroundSync, tag: Int) throws -> BucketWriter.Written {
        endUser()
        try closeMember()
        let indexFile = try POSIXFile.createTruncating(indexPath)
        try withBytes(index) { (raw) throws(StorageError) in try indexFile.write(raw) }
        sync.submit(tag: tag) { [data] in
            try data.sync()
            try indexFile.sync()
        }
        written.bytes = offset
        return written
    }

    private mutating func endUser() {
        if let current { pending.append((ByteString(current.uid), current.events)) }
        current = nil
    }

    private mutating func closeMember() throws {
        guard memberBytes > 0 else { return }
        try compress()
        for user in pending {
            TimelineIndexLine(uid: user.uid, offset: memberOffset, length: offset - memberOffset, events: user.events).append(to: &index)
        }
        pending.removeAll(keepingCapacity: true)
        memberBytes = 0
        memberOffset = offset
    }

    /// Writes what the member holds since the last call as one gzip member.
    private mutating func compress() throws {
        guard !chunk.isEmpty else { return }
        chunk.withUnsafeBytes { compressor.appendMember(of: $0, to: &compressed) }
        chunk.removeAll(keepingCapacity: true)
        try withBytes(compressed) { (raw) throws(StorageError) in try data.write(raw) }
        offset += Int64(compressed.count)
        compressed.removeAll(keepingCapacity: true)
    }
}
