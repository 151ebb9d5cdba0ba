/// A partition file being appended to, one complete gzip member per commit.
///
/// `size` is always the end of the last complete member: a failed write is cut back to it, so a reader
/// never sees a torn member from a write this process knows failed.
///
/// Its descriptor may be closed between commits (`suspend`) so that a writer touching thousands of hours
/// never holds more descriptors than its budget; the next append reopens it. A file is always fsynced before
/// its descriptor closes, because Linux reports a writeback error only to descriptors open when it happened.
package final class InProgressFile {
    package let path: String
    package let directory: PartitionDirectory
    package private(set) var size: Int64
    /// When it was last appended to.
    package private(set) var lastAppend: UTCInstant
    /// The writer's commit counter when the file was last appended to: least recently used is suspended first.
    var lastUse = 0
    /// Appended to since the last fsync.
    private(set) var needsSync = false
    private var handle: POSIXFile?

    private init(path: String, directory: PartitionDirectory, file: POSIXFile, size: Int64, now: UTCInstant) {
        self.path = path
        self.directory = directory
        self.handle = file
        self.size = size
        self.lastAppend = now
    }

    /// Creates a new, empty in-progress file; the caller syncs the directory before acknowledging anything in it.
    static func create(path: String, directory: PartitionDirectory, now: UTCInstant) throws(StorageError) -> InProgressFile {
        InProgressFile(path: path, directory: directory, file: try POSIXFile.createExclusive(path), size: 0, now: now)
    }

    /// Opens an existing in-progress file for appending, first cutting it back to the end of its last complete,
    /// CRC-checked member and syncing. Without this, whatever is appended after a torn member would be unreadable
    /// to zcat, DuckDB and Spark.
    package static func reopen(path: String, directory: PartitionDirectory, now: UTCInstant) throws -> (InProgressFile, TornTail?) {
        let torn = try cutToLastCompleteMember(path)
        let file = try POSIXFile.openForUpdate(path)
        return (InProgressFile(path: path, directory: directory, file: file, size: try file.size(), now: now), torn)
    }

    /// Whether it holds a descriptor now.
    var isOpen: Bool { handle != nil }

    /// Its descriptor, reopened if it was suspended.
    private func descriptor() throws(StorageError) -> POSIXFile {
        if let handle { return handle }
        let file = try POSIXFile.openForUpdate(path)
        handle = file
        return file
    }

    /// Syncs what was appended, then closes the descriptor; the next append reopens it.
    func suspend() throws(StorageError) {
        if needsSync { try sync() }
        handle = nil
    }

    /// Appends a complete member at the committed end. On failure the file is cut back and the error rethrown.
    package func append(member: [UInt8], now: UTCInstant) throws(StorageError) {
        let file = try descriptor()
        do {
            try file.write(member, at: size)
        } catch {
            try? file.truncate(to: size)
            throw error
        }
        size += Int64(member.count)
        lastAppend = now
        needsSync = true
    }

    /// Makes every appended member durable. On failure the caller must not trust what was appended since the last sync.
    package func sync() throws(StorageError) {
        try descriptor().sync()
        needsSync = false
    }

    /// Cuts the file back to `length` (the size at the last good sync) and syncs it.
    func rollBack(to length: Int64) throws(StorageError) {
        let file = try descriptor()
        try file.truncate(to: length)
        try file.sync()
        size = length
        needsSync = false
    }

    /// What a repair cut off the end of a file.
    package struct TornTail: Sendable {
        package let keptBytes: Int64
        package let cutBytes: Int64
        package let problem: GzipReadError.Problem
    }

    /// Truncates `path` to the end of its last complete, CRC-checked member and syncs it; nil if it was whole.
    package static func cutToLastCompleteMember(_ path: String) throws -> TornTail? {
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
