import Foundation
import ObjectStorage
import StreamsArchive

/// Puts one local file into the bucket and confirms it, never replacing an object it did not put there.
///
/// Files up to `multipartThreshold` go in one PutObject; larger ones as a multipart upload of `partSize` parts
/// (each with its own SHA-256, `partWorkers` in flight, the file read once: `PartPipeline`), so memory holds at
/// most `budget.parts` parts in the whole process, whatever the files' sizes and however many upload at once. Every create is `If-None-Match: *`: an object already at the key (an earlier run killed
/// after its upload) is confirmed like a new one, and one whose bytes differ is reported, never replaced.
/// Before a multipart upload, open uploads of the same key (left by a killed run: only this archive writes
/// that key) are aborted; a started one is recorded in the `UploadJournal` (so the next run aborts it if this
/// one is killed), and a failed one is aborted before the error is thrown.
package struct ObjectUploader: Sendable {
    package var multipartThreshold: Int64 = 32 << 20
    package var partSize = 8 << 20
    let partWorkers = 4
    /// Shared by every copy of this uploader (the shipper's directory workers).
    let budget = PartBudget(parts: 6)
    /// Confirm every object by downloading it, even when the store returns a checksum (for stores that echo the
    /// checksum they were sent without checking it).
    package var alwaysReadBack = false
    let client: S3Client
    /// Where read-backs are downloaded (on the archive's filesystem, removed after hashing).
    let scratch: String
    let progress: ShipProgress
    /// Where started multipart uploads are recorded (set by `Shipper` for its run).
    var journal: UploadJournal?

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

    /// What `create` found or did.
    package enum Creation: Sendable {
        /// Uploaded; for a multipart upload, the composite checksum of the parts sent (what the store reports).
        case created(composite: ObjectChecksum?)
        /// An object was already at the key (the caller confirms it).
        case alreadyThere
    }

    /// Creates the object unless one is already at the key.
    package func create(_ object: LocalObject) throws -> Creation {
        do {
            if object.bytes > multipartThreshold {
                // Only CompleteMultipartUpload meets If-None-Match: look first rather than send every part again.
                if try client.headObject(key: object.key) != nil { return .alreadyThere }
                return .created(composite: try multipart(object))
            }
            _ = try client.putObject(key: object.key, body: .file(object.path), sha256Hex: object.sha256, contentType: object.contentType)
            progress.sent(object.bytes)
            return .created(composite: nil)
        } catch let error as ObjectStoreError where error.status == 412 {
            return .alreadyThere
        }
    }

    /// Replaces the object at the key (only for objects this archive put there before: a rebuilt report).
    package func replace(_ object: LocalObject) throws -> Creation {
        if object.bytes > multipartThreshold { return .created(composite: try multipart(object, createOnly: false)) }
        _ = try client.putObject(key: object.key, body: .file(object.path), sha256Hex: object.sha256, contentType: object.contentType, createOnly: false)
        progress.sent(object.bytes)
        return .created(composite: nil)
    }

    /// Compares the object at the key with the local file: size from HEAD; then the SHA-256 the store returns
    /// (whole, or composite for a multipart object, with or without its `-N`), and when it returns none, when
    /// that differs, or with `alwaysReadBack`, the SHA-256 of the object downloaded again (the arbiter).
    /// `creation` passes on a just-sent multipart upload's composite checksum, so the file is not read again.
    package func check(_ object: LocalObject, after creation: Creation) throws -> Check {
        guard let remote = try client.headObject(key: object.key) else { return .missing }
        guard remote.bytes == object.bytes else { return .differs("is \(remote.bytes) bytes; the local file is \(object.bytes)") }
        var composite: ObjectChecksum?
        if case .created(let sent) = creation { composite = sent }
        if !alwaysReadBack, let checksum = remote.checksum, try storeChecksum(checksum, matches: object, composite: composite) { return .confirmed(readBack: false) }
        let download = "\(scratch)/readback-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: download) }
        try client.getObject(key: object.key, to: download)
        let (bytes, digest) = try FileDigest.sha256(ofFile: download)
        guard bytes == object.bytes else { return .differs("read back \(bytes) bytes; the local file is \(object.bytes)") }
        return digest.hex == object.sha256 ? .confirmed(readBack: true) : .differs("read back with sha256 \(digest.hex); the local file's is \(object.sha256)")
    }

    private func storeChecksum(_ checksum: ObjectChecksum, matches object: LocalObject, composite sent: ObjectChecksum?) throws -> Bool {
        if checksum == ObjectChecksum(hex: object.sha256) { return true }
        guard object.bytes > multipartThreshold else { return false }
        let composite = try sent ?? compositeChecksum(object)
        let bare = composite.value.split(separator: "-").first.map(String.init)
        return checksum == composite || checksum.value == bare
    }

    /// Uploads the file in parts and returns their composite checksum.
    private func multipart(_ object: LocalObject, createOnly: Bool = true) throws -> ObjectChecksum {
        for open in try client.listMultipartUploads(prefix: object.key) where open.key == object.key {
            try client.abortMultipartUpload(key: open.key, uploadID: open.uploadID)
        }
        let id = try client.createMultipartUpload(key: object.key, contentType: object.contentType)
        do {
            try journal?.started(key: object.key, uploadID: id)
            let pipeline = PartPipeline(
                client: client, object: object, uploadID: id, partSize: partSize(for: object.bytes), workers: partWorkers, budget: budget, progress: progress
            )
            let (parts, bytes, sha256) = try pipeline.run()
            // A single PUT carries the whole file's SHA-256, which the store checks; parts carry only their own.
            // So the bytes sent are checked against the manifest's SHA-256 here, before the object exists.
            guard bytes == object.bytes, sha256 == object.sha256 else {
                throw ObjectMismatch(key: object.key, detail: "the local file \(object.path) is \(bytes) bytes with sha256 \(sha256), not the \(object.bytes) bytes and \(object.sha256) recorded for it: not uploaded (run verify)")
            }
            try client.completeMultipartUpload(key: object.key, uploadID: id, parts: parts, createOnly: createOnly)
            return ObjectChecksum.composite(parts: parts.map(\.checksum))
        } catch {
            try? client.abortMultipartUpload(key: object.key, uploadID: id)
            throw error
        }
    }

    /// The part size for a file: `partSize`, grown so that no file needs more than S3's 10,000 parts.
    func partSize(for bytes: Int64) -> Int {
        max(partSize, Int((bytes + 9_999) / 10_000))
    }

    /// The composite checksum of the local file cut into parts of `partSize(for:)` (what S3 reports for it), for
    /// an object found already there.
    private func compositeChecksum(_ object: LocalObject) throws -> ObjectChecksum {
        let partSize = partSize(for: object.bytes)
        let parts = Int((object.bytes + Int64(partSize) - 1) / Int64(partSize))
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
