import Glibc

/// An owned POSIX file descriptor whose calls throw `StorageError` naming the path.
///
/// Foundation's FileHandle hides `fsync`, `ftruncate` and `flock`, which durability needs, so the few
/// calls this project makes are wrapped here. Sendable: its fields never change, so a file written on one thread
/// can be fsynced on another (`BackgroundSync`) once the writer is done with it.
package final class POSIXFile: Sendable {
    package let path: String
    package let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    package static func openForReading(_ path: String) throws(StorageError) -> POSIXFile {
        try open(path, flags: O_RDONLY)
    }

    /// Opens a file for reading; nil if it does not exist.
    package static func openForReadingIfExists(_ path: String) throws(StorageError) -> POSIXFile? {
        do {
            return try openForReading(path)
        } catch where error.code == ENOENT {
            return nil
        }
    }

    /// Opens an existing file for reading and writing; nil if it does not exist.
    package static func openForUpdateIfExists(_ path: String) throws(StorageError) -> POSIXFile? {
        let fd = Glibc.open(path, O_RDWR | O_CLOEXEC)
        if fd >= 0 { return POSIXFile(path: path, descriptor: fd) }
        if errno == ENOENT { return nil }
        throw StorageError("open", path: path)
    }

    /// Opens an existing file for reading and writing.
    package static func openForUpdate(_ path: String) throws(StorageError) -> POSIXFile {
        try open(path, flags: O_RDWR)
    }

    /// Creates a new file; fails if the name is taken, so two writers never share a file.
    package static func createExclusive(_ path: String) throws(StorageError) -> POSIXFile {
        try open(path, flags: O_RDWR | O_CREAT | O_EXCL, mode: 0o644)
    }

    /// Opens a file for appending, creating it if needed (for spills; not fsynced by itself).
    package static func openForAppending(_ path: String) throws(StorageError) -> POSIXFile {
        try open(path, flags: O_WRONLY | O_CREAT | O_APPEND, mode: 0o644)
    }

    /// Creates a file with no name in `directory`, to write and read back (spilled runs): the kernel frees it
    /// when its descriptor closes, so no crash leaves it behind. A filesystem without unnamed files
    /// (`O_TMPFILE`) gets `fallbackName` there, unlinked at once (a crash in between leaves that name, which
    /// the caller's recovery must know).
    package static func createUnnamed(in directory: String, fallbackName: String) throws(StorageError) -> POSIXFile {
        let fd = Glibc.open(directory, __O_TMPFILE | O_DIRECTORY | O_RDWR | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 { return POSIXFile(path: "\(directory)/(unnamed scratch file)", descriptor: fd) }
        guard errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL else { throw StorageError("open", path: directory) }
        let file = try open("\(directory)/\(fallbackName)", flags: O_RDWR | O_CREAT | O_EXCL, mode: 0o600)
        try Directory.removeFile(file.path)
        return file
    }

    /// Creates or empties a file.
    package static func createTruncating(_ path: String) throws(StorageError) -> POSIXFile {
        try open(path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
    }

    private static func open(_ path: String, flags: Int32, mode: mode_t = 0) throws(StorageError) -> POSIXFile {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw StorageError("open", path: path) }
        return POSIXFile(path: path, descriptor: fd)
    }

    package func size() throws(StorageError) -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw StorageError("stat", path: path) }
        return Int64(info.st_size)
    }

    /// What tells this file's content apart from an earlier one at the same path: its size, its inode (a file
    /// replaced by rename is a new inode) and when its inode last changed (ctime, set by the kernel on every
    /// write and never settable by a tool that restores mtime), in nanoseconds.
    package func stamp() throws(StorageError) -> FileStamp {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw StorageError("stat", path: path) }
        return FileStamp(
            bytes: Int64(info.st_size), inode: UInt64(info.st_ino), changedNanoseconds: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        )
    }

    /// Last modification time.
    package func modified() throws(StorageError) -> UTCInstant {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw StorageError("stat", path: path) }
        return UTCInstant(millisecondsSinceEpoch: Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000)
    }

    /// Reads up to `buffer.count` bytes; 0 means end of file.
    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(StorageError) -> Int {
        while true {
            let n = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw StorageError("read", path: path) }
        }
    }

    /// Largest single write: bounds each syscall, and keeps a member's bytes in several writes when it is large.
    static let maxWriteChunk = 256 * 1024

    /// `count` bytes from `offset`, fewer only at end of file.
    package func read(count: Int, at offset: Int64) throws(StorageError) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        var outcome: Result<Int, StorageError>!
        result.withUnsafeMutableBytes { buffer in
            do throws(StorageError) { outcome = .success(try read(into: buffer, at: offset)) } catch { outcome = .failure(error) }
        }
        result.removeLast(count - (try outcome.get()))
        return result
    }

    /// Fills `buffer` from `offset`; returns how many bytes it read, fewer than its size only at end of file.
    package func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(StorageError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n > 0 {
                done += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw StorageError("read", path: path)
            }
        }
        return done
    }

    /// Writes all of `bytes` at `offset`.
    package func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(StorageError) {
        var done = 0
        while done < bytes.count {
            let chunk = min(bytes.count - done, Self.maxWriteChunk)
            let n = pwrite(descriptor, bytes.baseAddress! + done, chunk, off_t(offset) + off_t(done))
            if n > 0 {
                done += n
            } else if n < 0 && errno != EINTR {
                throw StorageError("write", path: path)
            } else if n == 0 {
                throw StorageError("write", path: path, code: EIO)
            }
        }
    }

    /// Writes all of `bytes` at `offset`.
    package func write(_ bytes: [UInt8], at offset: Int64) throws(StorageError) {
        try withBytes(bytes) { (raw) throws(StorageError) in try write(raw, at: offset) }
    }

    /// Appends all of `bytes` at the current position (for plain streamed output).
    package func write(_ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n > 0 {
                done += n
            } else if n < 0 && errno != EINTR {
                throw StorageError("write", path: path)
            } else if n == 0 {
                throw StorageError("write", path: path, code: EIO)
            }
        }
    }

    package func sync() throws(StorageError) {
        guard fsync(descriptor) == 0 else { throw StorageError("fsync", path: path) }
    }

    package func truncate(to length: Int64) throws(StorageError) {
        guard ftruncate(descriptor, off_t(length)) == 0 else { throw StorageError("truncate", path: path) }
    }

    /// Opens a directory for `flock` (and `fsync`); nil if it does not exist.
    package static func openDirectoryIfExists(_ path: String) throws(StorageError) -> POSIXFile? {
        do {
            return try open(path, flags: O_RDONLY | O_DIRECTORY)
        } catch where error.code == ENOENT {
            return nil
        }
    }

    /// Waits for an advisory lock, shared or exclusive. The kernel drops it when the descriptor closes or the
    /// process dies, however it dies.
    package func lock(exclusive: Bool) throws(StorageError) {
        while flock(descriptor, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            if errno != EINTR { throw StorageError("lock", path: path) }
        }
    }

    /// Takes an exclusive advisory lock without waiting; false if another process holds it.
    /// The kernel drops the lock when the process dies, however it dies.
    package func tryLockExclusive() throws(StorageError) -> Bool {
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return true }
        if errno == EWOULDBLOCK { return false }
        throw StorageError("lock", path: path)
    }
}

extension POSIXFile {
    /// The whole file; for small files such as journals and manifests.
    package func readToEnd() throws(StorageError) -> [UInt8] {
        var result: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let n = try read(into: buffer)
            if n == 0 { return result }
            result.append(contentsOf: buffer[0..<n])
        }
    }
}

/// A file's size and identity on disk: equal stamps mean the same bytes as far as the filesystem can tell
/// without reading them (`POSIXFile.stamp`).
public struct FileStamp: Sendable, Hashable {
    public let bytes: Int64
    public let inode: UInt64
    public let changedNanoseconds: Int64

    public init(bytes: Int64, inode: UInt64, changedNanoseconds: Int64) {
        self.bytes = bytes
        self.inode = inode
        self.changedNanoseconds = changedNanoseconds
    }
}
