import Glibc

/// Replaces a whole file so that readers see the old content or the new, never a mix, even across a crash.
///
/// The bytes go to a hidden temporary beside the target (same filesystem), are fsynced, and are renamed over it;
/// the directory is then synced so the new name survives power loss. Hidden names (`.`) are skipped by Spark,
/// Hive and `*.csv` globs, so a leftover temporary from a crash is never read as data.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws(StorageError) {
        let temporary = Directory.parentPath(of: path) + "/." + Directory.fileName(of: path) + ".tmp-\(getpid())"
        do {
            let file = try POSIXFile.createTruncating(temporary)
            try withBytes(bytes) { (raw) throws(StorageError) in try file.write(raw) }
            try file.sync()
            try Directory.rename(temporary, to: path)
        } catch {
            try? Directory.removeFile(temporary)
            throw error
        }
    }
}
