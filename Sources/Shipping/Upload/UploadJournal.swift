import Foundation
import ObjectStorage
import StreamsArchive

/// `ROOT/_ship-uploads.log`: every multipart upload `ship` started, one `destination<TAB>key<TAB>upload id` line
/// each, appended and fsynced right after CreateMultipartUpload answers, before any part is sent.
///
/// A run killed mid-upload leaves its upload open in the bucket, holding the parts sent (and billed) until
/// aborted; the next run to the same destination aborts every upload the journal names there before it ships
/// anything (an upload that completed or was aborted since answers 404, which is fine). Lines of other
/// destinations, and of uploads the store would not abort (no permission, unreachable), are kept for a
/// later run; the rest go. So `ship` leaves
/// no upload of its own open, even for a key it never retries (an hour re-sealed meanwhile). Only a kill in the
/// instant between the store's answer and the fsync escapes it; the bucket lifecycle rule in docs/RETENTION.md
/// (abort incomplete multipart uploads after a day) covers that. Used under the root's ship lock.
final class UploadJournal: @unchecked Sendable {
    static let fileName = "_ship-uploads.log"

    private let lock = NSLock()
    private let file: POSIXFile
    private var size: Int64

    private let destination: String

    /// Aborts the uploads a previous run to `destination` left listed, then rewrites the journal with the lines
    /// still to keep.
    init(layout: ArchiveLayout, destination: ShipDestination) throws {
        self.destination = destination.description
        let path = layout.lock(Self.fileName)
        var kept: [UInt8] = []
        if let previous = try POSIXFile.openForReadingIfExists(path) {
            for line in String(decoding: try previous.readToEnd(), as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: "\t", maxSplits: 2)
                guard fields.count == 3 else { continue }  // a line cut short by a crash: its upload never started parts
                if fields[0] == destination.description,
                    (try? destination.client.abortMultipartUpload(key: String(fields[1]), uploadID: String(fields[2]))) != nil
                {
                    continue
                }
                kept += Array("\(line)\n".utf8)
            }
        }
        try AtomicFile.write(kept, to: path)
        file = try POSIXFile.openForUpdate(path)
        size = Int64(kept.count)
    }

    /// Records an upload just started (durably, before its first part).
    func started(key: String, uploadID: String) throws {
        try lock.withLock {
            let line = Array("\(destination)\t\(key)\t\(uploadID)\n".utf8)
            try file.write(line, at: size)
            try file.sync()
            size += Int64(line.count)
        }
    }
}
