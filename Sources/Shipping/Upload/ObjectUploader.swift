import Foundation
import ObjectStorage
import StreamsArchive

/// Puts one local file into the bucket and confirms it, never replacing an object it did not put there.
///
/// Files up to `multipartThreshold` go in one PutObject; larger ones as a multipart upload of `partSize` parts
/// (each with its own SHA-256, `partWorkers` in flight), so memory holds at most `partWorkers` parts whatever
/// the file's size. Every create is `If-None-Match: *`: an object already at the key (an earlier run killed
/// after its upload) is confirmed like a new one, and one whose bytes differ is reported, never replaced.
/// Before a multipart upload, open uploads of the same key (left by a killed run: only this archive writes
/// that key) are aborted; a failed one is aborted before the error is thrown.
package struct ObjectUploader: Sendable {
    package var multipartThreshold: Int64 = 32 << 20
    package var partSize = 8 << 20
    package var partWorkers = 4
    /// Confirm every object by downloading it, even when the store returns a checksum (for stores that echo the
    /// checksum they were sent without checking it).
    package var alwaysReadBack = false
    let client: S3Client
    /// Where read-backs are downloaded (on the archive's filesystem, removed after hashing).
    let scratch: String
    let progress: ShipProgress

    package init(client: S3Client, scratch: String, progress: ShipProgress) {
        self.client = client
        self.scratch = scratch
        self.progress = progress
    }

    /// How an object in the bucket compared with the local file.
    package enum Check: Sendable, Equatable {
        /// Same size and SHA-256; `readBack` when the store returned no checksum and the object was downloaded.
        case confirmed(readBack: Bool)
        case missing
        case differs(String)
    }

    /// Creates the object unless one is already at the key; false when one was (the caller confirms it).
    package func create(_ object: LocalObject) throws -> Bool {
        do {
            if object.bytes > multipartThreshold {
                // Only CompleteMultipartUpload meets If-None-Match: look first rather than send every part again.
                if try client.headObject(key: object.key) != nil { return false }
                try multipart(object)
            } else {
                _ = try client.putObject(key: object.key, body: .file(object.path), sha256Hex: object.sha256, contentType: object.contentType)
                progress.sent(object.bytes)
            }
            return true
        } catch let error as ObjectStoreError where error.status == 412 {
            return false
        }
    }

    /// Replaces the object at the key (only for objects this archive put there before: a rebuilt report).
    package func replace(_ object: LocalObject) throws {
        if object.bytes > multipartThreshold {
            try multipart(object, createOnly: false)
        } else {
            _ = try client.putObject(key: object.key, body: .file(object.path), sha256Hex: object.sha256, contentType: object.contentType, createOnly: false)
            progress.sent(object.bytes)
        }
    }

    /// Compares the object at the key with the local file: size from HEAD; then the SHA-256 the store returns
    /// (whole, or composite for a multipart object, with or without its `-N`), and when it returns none, when
    /// that differs, or with `alwaysReadBack`, the SHA-256 of the object downloaded again (the arbiter).
    package func check(_ object: LocalObject) throws -> Check {
        guard let remote = try client.headObject(key: object.key) else { return .missing }
        guard remote.bytes == object.bytes else { return .differs("is \(remote.bytes) bytes; the local file is \(object.bytes)") }
        if !alwaysReadBack, let checksum = remote.checksum, try storeChecksum(checksum, matches: object) { return .confirmed(readBack: false) }
        let download = "\(scratch)/readback-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: download) }
        try client.getObject(key: object.key, to: download)
        let (bytes, digest) = try FileDigest.sha256(ofFile: download)
        guard bytes == object.bytes else { return .differs("read back \(bytes) bytes; the local file is \(object.bytes)") }
        return digest.hex == object.sha256 ? .confirmed(readBack: true) : .differs("read back with sha256 \(digest.hex); the local file's is \(object.sha256)")
    }

    private func storeChecksum(_ checksum: ObjectChecksum, matches object: LocalObject) throws -> Bool {
        if checksum == ObjectChecksum(hex: object.sha256) { return true }
        guard object.bytes > multipartThreshold else { return false }
        let partSize = partSize(for: object.bytes)
        let parts = Int((object.bytes + Int64(partSize) - 1) / Int64(partSize))
        let composite = try compositeChecksum(object, parts: parts)
        let bare = composite.value.split(separator: "-").first.map(String.init)
        return checksum == composite || checksum.value == bare
    }

    private func multipart(_ object: LocalObject, createOnly: Bool = true) throws {
        // A single PUT carries the whole file's SHA-256, which the store checks; parts carry only their own. So
        // the file is checked against its manifest's SHA-256 here, before any part goes.
        let (bytes, digest) = try FileDigest.sha256(ofFile: object.path)
        guard bytes == object.bytes, digest.hex == object.sha256 else {
            throw ObjectMismatch(key: object.key, detail: "the local file \(object.path) is \(bytes) bytes with sha256 \(digest.hex), not the \(object.bytes) bytes and \(object.sha256) recorded for it: not uploaded (run verify)")
        }
        for open in try client.listMultipartUploads(prefix: object.key) where open.key == object.key {
            try client.abortMultipartUpload(key: open.key, uploadID: open.uploadID)
        }
        let id = try client.createMultipartUpload(key: object.key, contentType: object.contentType)
        do {
            let parts = try uploadParts(object, uploadID: id)
            try client.completeMultipartUpload(key: object.key, uploadID: id, parts: parts, createOnly: createOnly)
        } catch {
            try? client.abortMultipartUpload(key: object.key, uploadID: id)
            throw error
        }
    }

    /// The part size for a file: `partSize`, grown so that no file needs more than S3's 10,000 parts.
    func partSize(for bytes: Int64) -> Int {
        max(partSize, Int((bytes + 9_999) / 10_000))
    }

    private func uploadParts(_ object: LocalObject, uploadID: String) throws -> [UploadedPart] {
        let partSize = partSize(for: object.bytes)
        let count = Int((object.bytes + Int64(partSize) - 1) / Int64(partSize))
        let results = PartResults(count)
        let (client, progress) = (client, progress)
        BlockingWorkers.forEach(count, workers: partWorkers) { index in
            do {
                let file = try POSIXFile.openForReading(object.path)
                let offset = Int64(index) * Int64(partSize)
                let bytes = try file.read(count: Int(min(Int64(partSize), object.bytes - offset)), at: offset)
                let part = try client.uploadPart(key: object.key, uploadID: uploadID, number: index + 1, data: Data(bytes))
                progress.sent(Int64(bytes.count))
                results.set(index, .success(part))
            } catch {
                results.set(index, .failure(error))
            }
        }
        return try results.all()
    }

    /// The composite checksum of the local file cut into `parts` parts of `partSize` (what S3 reports for it).
    private func compositeChecksum(_ object: LocalObject, parts: Int) throws -> ObjectChecksum {
        let partSize = partSize(for: object.bytes)
        let file = try POSIXFile.openForReading(object.path)
        var digests: [ObjectChecksum] = []
        for index in 0..<parts {
            let offset = Int64(index) * Int64(partSize)
            let bytes = try file.read(count: Int(min(Int64(partSize), object.bytes - offset)), at: offset)
            digests.append(ObjectChecksum(digest: FileDigest.sha256(of: bytes)))
        }
        return ObjectChecksum.composite(parts: digests)
    }
}

/// Each part's outcome, filled by the part workers (each writes only its own slot, under a lock).
private final class PartResults: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<UploadedPart, any Error>?]

    init(_ count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<UploadedPart, any Error>) { lock.withLock { slots[index] = result } }

    func all() throws -> [UploadedPart] {
        try lock.withLock { try slots.map { try $0!.get() } }
    }
}
