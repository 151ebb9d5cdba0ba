import Glibc

/// Replaces a whole file so that readers see the old content or the new, never a mix, even across a crash.
///
/// The bytes go to a hidden temporary beside the target (same filesystem), are fsynced, and are renamed over it;
/// the directory is then synced so the new name survives power loss. Hidden names (`.`) are skipped by Spark,
/// Hive and `*.csv` globs, so a leftover temporary from a crash is never read as data.
package enum AtomicFile {
    package static func write(_ bytes: [UInt8], to path: String) throws(StorageError) {
        let temporary = Directory.parentPath(of: path) + "/" + temporaryName(for: Directory.fileName(of: path))
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

    /// `.<name>.tmp-<pid>`: hidden, and unique per process.
    static func temporaryName(for name: String) -> String { ".\(name).tmp-\(getpid())" }

    /// Whether `name` is a temporary this type made (a crash can leave one behind).
    package static func isTemporary(_ name: String) -> Bool { name.hasPrefix(".") && name.contains(".tmp-") }

    /// Removes the temporaries a killed writer left in `directory`.
    package static func removeLeftovers(in directory: String) throws(StorageError) {
        for name in try Directory.entries(directory) where isTemporary(name) { try Directory.removeFile("\(directory)/\(name)") }
    }
}
