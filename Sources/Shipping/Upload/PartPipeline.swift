import Crypto
import Foundation
import ObjectStorage
import StreamsArchive

/// A multipart upload's parts, read once: one reader goes through the file in order, hashing the whole of it
/// (checked against the manifest before the upload is completed) and handing each part, read straight into
/// the `Data` that is sent, to the part workers, which upload them with their own SHA-256. The parts' digests
/// give the composite checksum the store reports, so a 500 MB sealed hour is read from disk once, not three
/// times (hash, upload, composite).
///
/// Memory: the reader takes a permit of the shared `PartBudget` before it reads a part and the worker that
/// sent it gives it back, so however many files upload at once (ship runs several directories in parallel),
/// at most `PartBudget.parts` parts are in memory in the whole process. On the first failure the reader stops,
/// the queued parts are dropped, and the error is thrown once every thread has finished.
struct PartPipeline {
    let client: S3Client
    let object: LocalObject
    let uploadID: String
    let partSize: Int
    let workers: Int
    let budget: PartBudget
    let progress: ShipProgress

    /// The uploaded parts in order and the whole file's size and SHA-256 as read.
    func run() throws -> (parts: [UploadedPart], bytes: Int64, sha256: String) {
        let count = Int((object.bytes + Int64(partSize) - 1) / Int64(partSize))
        let queue = PartQueue(budget: budget)
        let results = PartResults(count)
        let whole = WholeFile()
        let (client, object, uploadID, partSize, budget, progress) = (client, object, uploadID, partSize, budget, progress)
        // Job 0 reads; jobs 1… upload: one thread each.
        BlockingWorkers.forEach(workers + 1, workers: workers + 1) { job in
            if job == 0 {
                do {
                    let file = try POSIXFile.openForReading(object.path)
                    var hash = SHA256()
                    var total: Int64 = 0
                    for index in 0..<count where !queue.isStopped {
                        budget.take()
                        var data = Data(count: Int(min(Int64(partSize), object.bytes - Int64(index) * Int64(partSize))))
                        let read: Int
                        do {
                            read = try data.withUnsafeMutableBytes { (buffer) throws(StorageError) in try file.read(into: buffer, at: Int64(index) * Int64(partSize)) }
                        } catch {
                            budget.give()  // the part never reaches the queue
                            throw error
                        }
                        data.count = read
                        hash.update(data: data)
                        total += Int64(read)
                        queue.put(index, data)
                    }
                    whole.set(bytes: total, sha256: hash.finalize().hex)
                } catch {
                    results.fail(error)
                    queue.stop()
                }
                queue.close()
                return
            }
            while let (index, data) = queue.take() {
                defer { budget.give() }
                do {
                    let part = try client.uploadPart(key: object.key, uploadID: uploadID, number: index + 1, data: data)
                    progress.sent(Int64(data.count))
                    results.set(index, part)
                } catch {
                    results.fail(error)
                    queue.stop()
                }
            }
        }
        let parts = try results.all()
        let (bytes, sha256) = whole.value
        return (parts, bytes, sha256)
    }
}

/// How many parts may be in memory at once across every upload of a process.
final class PartBudget: Sendable {
    let parts: Int
    private let permits: DispatchSemaphore

    init(parts: Int) {
        self.parts = parts
        permits = DispatchSemaphore(value: parts)
    }

    func take() { permits.wait() }
    func give() { permits.signal() }
}

/// Parts read and not yet taken by a worker; `stop` makes the reader and workers give up after a failure,
/// and gives back the budget's permits of the parts it drops (so no reader waits for them).
private final class PartQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let budget: PartBudget
    private var parts: [(Int, Data)] = []
    private var closed = false
    private var stopped = false

    init(budget: PartBudget) { self.budget = budget }

    var isStopped: Bool { condition.withLock { stopped } }

    func put(_ index: Int, _ data: Data) {
        let dropped = condition.withLock {
            guard !stopped else { return true }
            parts.append((index, data))
            condition.signal()
            return false
        }
        if dropped { budget.give() }
    }

    /// The next part, waiting for the reader; nil once it is done (or the pipeline stopped).
    func take() -> (Int, Data)? {
        condition.withLock {
            while parts.isEmpty && !closed && !stopped { condition.wait() }
            return stopped || parts.isEmpty ? nil : parts.removeFirst()
        }
    }

    func close() {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
    }

    func stop() {
        let dropped = condition.withLock {
            stopped = true
            defer { parts.removeAll() }
            condition.broadcast()
            return parts.count
        }
        for _ in 0..<dropped { budget.give() }
    }
}

/// Each part's outcome, or the first error.
private final class PartResults: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [UploadedPart?]
    private var error: (any Error)?

    init(_ count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ part: UploadedPart) { lock.withLock { slots[index] = part } }
    func fail(_ error: any Error) { lock.withLock { if self.error == nil { self.error = error } } }

    func all() throws -> [UploadedPart] {
        try lock.withLock {
            if let error { throw error }
            return slots.map { $0! }
        }
    }
}

/// The reader's result.
private final class WholeFile: @unchecked Sendable {
    private let lock = NSLock()
    private var result: (bytes: Int64, sha256: String) = (0, "")
    func set(bytes: Int64, sha256: String) { lock.withLock { result = (bytes, sha256) } }
    var value: (bytes: Int64, sha256: String) { lock.withLock { result } }
}
