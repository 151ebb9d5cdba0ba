import Foundation
import ObjectStorage
import StreamsArchive

/// `ROOT/_ship-uploads.log`: every multipart upload `ship` started, one `key<TAB>upload id` line each, appended
/// and fsynced right after CreateMultipartUpload answers, before any part is sent.
///
/// A run killed mid-upload leaves its upload open in the bucket, holding the parts sent (and billed) until
/// aborted; the next run aborts every upload the journal names before it ships anything (an upload that
/// completed or was aborted since answers 404, which is fine), then empties the journal. So `ship` leaves
/// no upload of its own open, even for a key it never retries (an hour re-sealed meanwhile). Only a kill in the
/// instant between the store's answer and the fsync escapes it; the bucket lifecycle rule in docs/RETENTION.md
/// (abort incomplete multipart uploads after a day) covers that. Used under the root's ship lock.
final class UploadJournal: @unchecked Sendable {
    static let fileName = "_ship-uploads.log"

    private let lock = NSLock()
    private let file: POSIXFile
    private var size: Int64

    /// Aborts the uploads a previous run left listed, then opens the journal empty. Throws (the journal kept)
    /// when an abort fails: the store is not answering, and the next run tries again.
    init(layout: ArchiveLayout, client: S3Client) throws {
        let path = layout.lock(Self.fileName)
        if let previous = try POSIXFile.openForReadingIfExists(path) {
            for line in String(decoding: try previous.readToEnd(), as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: "\t", maxSplits: 1)
                guard fields.count == 2 else { continue }  // a line cut short by a crash: its upload never started parts
                try client.abortMultipartUpload(key: String(fields[0]), uploadID: String(fields[1]))
            }
        }
        file = try POSIXFile.createTruncating(path)
        try file.sync()
        size = 0
    }

    /// Records an upload just started (durably, before its first part).
    func started(key: String, uploadID: String) throws {
        try lock.withLock {
            let line = Array("\(key)\t\(uploadID)\n".utf8)
            try file.write(line, at: size)
            try file.sync()
            size += Int64(line.count)
        }
    }
}
