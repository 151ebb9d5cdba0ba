import Glibc
import StreamsArchive

/// Phase one of a timeline build, per read worker: each event's line is appended to its uid's bucket on disk.
///
/// Lines wait in a small buffer per bucket and are appended to `spill/b<bucket>.w<worker>` when it fills, so
/// memory is the buffers' (at most 32 MB per worker, less under a small memory budget) whatever the size of
/// the day. Lines without a uid belong
/// to no timeline and are only counted.
struct TimelineSpill {
    /// The fields a build that reads only for timelines asks for (phase two needs event_time too).
    static let plan = FieldPlan(topLevel: ["uid", "event_time"])
    static let uidSlot = plan.slot("uid")

    let directory: String
    let worker: Int
    let buckets: TimelineBuckets
    /// Where the read's `FieldPlan` puts the uid.
    private let uidSlot: Int
    private let bufferLimit: Int
    private var buffers: [[UInt8]]
    private(set) var withoutUID = 0
    /// The first write that failed; the build stops with it once the read is over.
    private(set) var failure: StorageError?

    /// `bufferBytes`: what this worker's buffers may hold together (at most 32 MB); `plan`: the read's fields,
    /// which must include the uid.
    init(directory: String, worker: Int, buckets: TimelineBuckets, bufferBytes: Int = 32 << 20, plan: FieldPlan = Self.plan) {
        self.directory = directory
        uidSlot = plan.slot("uid")
        self.worker = worker
        self.buckets = buckets
        bufferLimit = max(4 << 10, min(32 << 20, bufferBytes) / buckets.count)
        buffers = Array(repeating: [], count: buckets.count)
    }

    static func fileName(bucket: Int, worker: Int) -> String { "b\(bucket).w\(worker)" }

    mutating func add(_ event: EventLine) {
        guard failure == nil else { return }
        guard let bucket = event.withText(uidSlot, buckets.bucket(of:)) else {
            withoutUID += 1
            return
        }
        buffers[bucket].append(contentsOf: event.bytes)
        buffers[bucket].append(0x0A)
        if buffers[bucket].count >= bufferLimit { flush(bucket) }
    }

    /// Writes every buffer out; returns the first failure of the whole spill, if any.
    mutating func finish() -> StorageError? {
        for bucket in buffers.indices where !buffers[bucket].isEmpty { flush(bucket) }
        return failure
    }

    private mutating func flush(_ bucket: Int) {
        let path = "\(directory)/\(Self.fileName(bucket: bucket, worker: worker))"
        do {
            let file = try POSIXFile.openForAppending(path)
            try withBytes(buffers[bucket]) { (raw) throws(StorageError) in try file.write(raw) }
        } catch {
            failure = failure ?? error
        }
        buffers[bucket].removeAll(keepingCapacity: true)
    }
}
