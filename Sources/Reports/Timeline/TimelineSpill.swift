import Glibc
import StreamsArchive

/// Phase one of a timeline build, per read worker: each event is appended to its uid's bucket on disk.
///
/// An event is spilled as a record of the sorted runs' format (`SpillRecord.encode`: event_time, uid,
/// event_uuid and the line; seq 0, which a timeline's order does not use), so phase two sorts without
/// scanning the JSON again. Records wait in a small buffer per bucket and are appended to
/// `spill/b<bucket>.w<worker>` as one LZ4 block (`SpillBlocks`) before it would overfill, so memory is the
/// buffers' (`bufferBytes`, at most 32 MB per worker, and never less than 1 KiB a bucket) whatever the size
/// of the day. Lines without a uid
/// belong to no timeline and are only counted. The files are scratch: not fsynced, and removed with the build's hidden version if it dies. A
/// large day under a small budget flushes often and little (at 10M events and 64 MiB, 64 KiB a flush, 16 KiB
/// in nightly's one read), so
/// each bucket's file stays open from flush to flush, up to `descriptors` per worker (`SpillFiles`).
struct TimelineSpill {
    /// The fields a build that reads only for timelines asks for.
    static let plan = FieldPlan(topLevel: ["uid", "event_time"])
    static let uidSlot = plan.slot("uid")

    let directory: String
    let worker: Int
    let buckets: TimelineBuckets
    /// Where the read's `FieldPlan` puts the uid and the event_time.
    private let uidSlot: Int
    private let timeSlot: Int
    private let bufferLimit: Int
    private var buffers: [[UInt8]]
    /// A flush's block; its storage is kept for the next flush.
    private var block: [UInt8] = []
    private let files: SpillFiles
    /// The most phase two's batch holds for each bucket's records from this worker (`SpillBatch.memory`);
    /// above 0 exactly for the buckets this worker wrote a spill file for.
    private(set) var batchMemory: [Int64]
    private(set) var withoutUID = 0
    /// The first write that failed; the build stops with it once the read is over.
    private(set) var failure: StorageError?

    /// `bufferBytes`: what this worker's buffers may hold together (at most 32 MB); `plan`: the read's fields,
    /// which must include the uid and event_time; `descriptors`: how many spill files it may keep open.
    init(
        directory: String, worker: Int, buckets: TimelineBuckets, bufferBytes: Int = 32 << 20, plan: FieldPlan = Self.plan,
        descriptors: Int
    ) {
        self.directory = directory
        uidSlot = plan.slot("uid")
        timeSlot = plan.slot("event_time")
        self.worker = worker
        self.buckets = buckets
        bufferLimit = max(1 << 10, min(32 << 20, bufferBytes) / buckets.count)
        buffers = Array(repeating: [], count: buckets.count)
        batchMemory = Array(repeating: 0, count: buckets.count)
        files = SpillFiles(count: buckets.count, limit: descriptors)
    }

    static func fileName(bucket: Int, worker: Int) -> String { "b\(bucket).w\(worker)" }

    /// Finishes every worker's spill in place (so no copy keeps their buffers); throws the first failure.
    static func finish(_ spills: inout [TimelineSpill]) throws(StorageError) {
        for index in spills.indices { if let failure = spills[index].finish() { throw failure } }
    }

    /// `event` has an event_uuid: the reader visits no line without one.
    mutating func add(_ event: EventLine) {
        guard failure == nil else { return }
        let time = event.integer(timeSlot) ?? .min
        let spilled: Int?? = event.withText(uidSlot) { uid in
            event.withText(0) { uuid in
                let bucket = buckets.bucket(of: uid)
                // Flushed before a record that would overfill it, so a buffer never grows past its first capacity.
                let size = SpillRecord.headerBytes + uid.count + uuid.count + event.bytes.count
                if buffers[bucket].isEmpty {
                    buffers[bucket].reserveCapacity(bufferLimit)
                } else if buffers[bucket].count + size > bufferLimit {
                    flush(bucket)
                }
                SpillRecord.encode(time: time, seq: 0, key: uid, uuid: uuid, line: event.bytes, into: &buffers[bucket])
                batchMemory[bucket] += Int64(SpillBatch.memory(lineBytes: event.bytes.count, keyBytes: uid.count, uuidBytes: uuid.count))
                return bucket
            }
        }
        guard let bucket = spilled ?? nil else {
            withoutUID += 1
            return
        }
        // A record larger than a buffer goes out on its own.
        if buffers[bucket].count >= bufferLimit { flush(bucket) }
    }

    /// Writes every buffer out, gives their memory back (phase two needs the budget for sorting) and closes
    /// the files; returns the first failure of the whole spill, if any. Calling it again does nothing more; no
    /// event is added after it.
    mutating func finish() -> StorageError? {
        guard !buffers.isEmpty else { return failure }
        for bucket in buffers.indices where !buffers[bucket].isEmpty { flush(bucket) }
        buffers = []
        block = []
        files.closeAll()
        // The buffers, a bucket's share each (below the allocator's mmap threshold), were heap blocks.
        ProcessMemory.giveBackFreeHeap()
        return failure
    }

    private mutating func flush(_ bucket: Int) {
        do {
            let file = try files.file(bucket) { "\(directory)/\(Self.fileName(bucket: bucket, worker: worker))" }
            let count = buffers[bucket].withUnsafeBytes { SpillBlocks.encode($0, into: &block) }
            try withBytes(block) { (raw) throws(StorageError) in try file.write(UnsafeRawBufferPointer(rebasing: raw[..<count])) }
        } catch {
            failure = failure ?? error
        }
        // A buffer a large record grew gives its storage back; the others keep theirs for the next records.
        if buffers[bucket].capacity > 2 * bufferLimit { buffers[bucket] = [] } else { buffers[bucket].removeAll(keepingCapacity: true) }
    }
}

/// One worker's open spill files, a descriptor per bucket up to `limit`; past it the next open one after the
/// last closed is closed (a clock hand), so a build never holds more than its share of the process's
/// descriptors. A class, so `closeAll` closes them for every copy of the `TimelineSpill` that holds it.
final class SpillFiles {
    private var files: [POSIXFile?]
    private let limit: Int
    private var open = 0
    private var hand = 0

    init(count: Int, limit: Int) {
        files = Array(repeating: nil, count: count)
        self.limit = max(1, limit)
    }

    /// Bucket `index`'s file, opened for appending (at `path()`) if it is not open.
    func file(_ index: Int, path: () -> String) throws(StorageError) -> POSIXFile {
        if let file = files[index] { return file }
        if open == limit {
            while files[hand] == nil { hand = (hand + 1) % files.count }
            files[hand] = nil
            open -= 1
        }
        let file = try POSIXFile.openForAppending(path())
        files[index] = file
        open += 1
        return file
    }

    func closeAll() {
        files = Array(repeating: nil, count: files.count)
        open = 0
    }
}
