/// A partition file being appended to, one complete gzip member per commit.
///
/// `size` is always the end of the last complete member: a failed write is cut back to it, so a reader
/// never sees a torn member from a write this process knows failed.
public final class InProgressFile {
    public let path: String
    public let directory: PartitionDirectory
    public private(set) var size: Int64
    /// Epoch seconds of the last append.
    public private(set) var lastAppend: Int64
    let file: POSIXFile

    private init(path: String, directory: PartitionDirectory, file: POSIXFile, size: Int64, now: Int64) {
        self.path = path
        self.directory = directory
        self.file = file
        self.size = size
        self.lastAppend = now
    }

    /// Creates a new, empty in-progress file; the caller syncs the directory before acknowledging anything in it.
    static func create(path: String, directory: PartitionDirectory, now: Int64) throws(StorageError) -> InProgressFile {
        InProgressFile(path: path, directory: directory, file: try POSIXFile.createExclusive(path), size: 0, now: now)
    }

    /// Opens an existing in-progress file for appending, first cutting it back to the end of its last complete,
    /// CRC-checked member and syncing. Without this, whatever is appended after a torn member would be unreadable
    /// to zcat, DuckDB and Spark.
    public static func reopen(path: String, directory: PartitionDirectory, now: Int64) throws -> (InProgressFile, TornTail?) {
        let torn = try cutToLastCompleteMember(path)
        let file = try POSIXFile.openForUpdate(path)
        return (InProgressFile(path: path, directory: directory, file: file, size: try file.size(), now: now), torn)
    }

    /// Appends a complete member at the committed end. On failure the file is cut back and the error rethrown.
    public func append(member: [UInt8], now: Int64) throws(StorageError) {
        do {
            try file.write(member, at: size)
        } catch {
            try? file.truncate(to: size)
            throw error
        }
        size += Int64(member.count)
        lastAppend = now
    }

    /// Makes every appended member durable. On failure the caller must not trust what was appended since the last sync.
    public func sync() throws(StorageError) {
        try file.sync()
    }

    /// Cuts the file back to `length` (the size at the last good sync) and syncs it.
    func rollBack(to length: Int64) throws(StorageError) {
        try file.truncate(to: length)
        try file.sync()
        size = length
    }

    /// What a repair cut off the end of a file.
    public struct TornTail: Sendable {
        public let keptBytes: Int64
        public let cutBytes: Int64
        public let problem: GzipReadError.Problem
    }

    /// Truncates `path` to the end of its last complete, CRC-checked member and syncs it; nil if it was whole.
    public static func cutToLastCompleteMember(_ path: String) throws -> TornTail? {
        let reader = GzipFileReader(path: path)
        do {
            try reader.verifyMembers()
            return nil
        } catch let damage as GzipReadError {
            let file = try POSIXFile.openForUpdate(path)
            let original = try file.size()
            try file.truncate(to: damage.lastGoodOffset)
            try file.sync()
            return TornTail(keptBytes: damage.lastGoodOffset, cutBytes: original - damage.lastGoodOffset, problem: damage.problem)
        }
    }
}
