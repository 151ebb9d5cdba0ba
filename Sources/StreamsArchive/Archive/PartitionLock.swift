import Glibc

/// Readers see an hour either before or after a seal, never half-way through one.
///
/// Seal replaces an hour's files in several steps (remove `_SUCCESS`, write the manifest, rename the sealed
/// file in, unlink the sources, write `_SUCCESS`). It holds an exclusive lock on the hour's directory for
/// those steps and for crash recovery; readers (report, timelines, timeline, verify, the nightly plan) hold a
/// shared lock from listing an hour until they have read its files. So a reader lists and reads either the
/// sources or the sealed file, each event once, and never meets a file that vanished under it.
///
/// The lock is an `flock` on the directory's own descriptor: nothing is added to the partition (Spark, DuckDB
/// and Athena see the same files), and the kernel drops it when the holder closes it or dies, however it dies.
/// No deadlock: readers take only shared hour locks (never `_seal.lock`), and seal and retain, which hold
/// `_seal.lock`, hold at most one hour's exclusive lock at a time and wait for nothing while holding it. A long
/// read delays the seal of the hours it reads (and, behind that seal, the next one), never the reverse for
/// longer than a swap. Receivers take no lock: they only add files, which never makes a listing wrong.
package final class PartitionLock {
    private let directory: POSIXFile

    private init(_ directory: POSIXFile) {
        self.directory = directory
    }

    /// Waits for a shared lock on `path`; nil if the directory no longer exists (retention removed it).
    package static func shared(_ path: String) throws(StorageError) -> PartitionLock? {
        guard let directory = try POSIXFile.openDirectoryIfExists(path) else { return nil }
        try directory.lock(exclusive: false)
        return PartitionLock(directory)
    }

    /// Runs `body` holding the exclusive lock on `path` (seal's swap and recovery).
    package static func exclusive<T>(_ path: String, _ body: () throws -> T) throws -> T {
        guard let directory = try POSIXFile.openDirectoryIfExists(path) else {
            throw StorageError("lock", path: path, code: ENOENT)
        }
        try directory.lock(exclusive: true)
        return try withExtendedLifetime(directory) { try body() }
    }
}
