import Glibc
import Logging

/// Repairs and finishes the in-progress files of writers that died (kill -9, power loss, OOM).
///
/// A writer's journal names every file it created. A journal whose lock can be taken belongs to a dead
/// writer: each file it lists is cut back to its last complete member and given its finished name (or
/// removed if nothing in it was complete), then the journal moves to `_writers/retired/`. Live writers are left alone, so
/// several receivers can share a root.
public enum ArchiveRecovery {
    /// What recovery did to one file.
    public struct RecoveredFile: Sendable {
        /// The file's path after recovery (its finished name), or the removed path when it held nothing.
        public let path: String
        public let keptBytes: Int64
        public let cutBytes: Int64
        public let removed: Bool
    }

    /// Finishes the files of every writer whose process is gone (its lock is free); returns what it finished.
    public static func recover(layout: ArchiveLayout, logger: Logger) throws -> [RecoveredFile] {
        var recovered: [RecoveredFile] = []
        for name in try Directory.entries(layout.writersDirectory) where name.hasSuffix(".lock") || name.hasSuffix(".lock.new") {
            let journalPath = layout.writersDirectory + "/" + name
            guard let journal = try POSIXFile.openForUpdateIfExists(journalPath), try journal.tryLockExclusive() else { continue }
            // The lock is held (the file stays open) until the journal is retired, so no other recovery races this one.
            try withExtendedLifetime(journal) {
                for relative in try WriterJournals.entries(journalPath) {
                    if let file = try recoverFile(layout.root + "/" + relative) {
                        logger.info(
                            "recovered an in-progress file left by a stopped writer",
                            metadata: ["file": "\(file.path)", "kept_bytes": "\(file.keptBytes)", "cut_bytes": "\(file.cutBytes)"]
                        )
                        recovered.append(file)
                    }
                }
                try WriterJournals.retire(journalPath, layout: layout)
            }
        }
        return recovered
    }

    /// Repairs and finishes one in-progress file; nil if it no longer exists (it was finished before the crash).
    static func recoverFile(_ path: String) throws -> RecoveredFile? {
        guard try POSIXFile.openForUpdateIfExists(path) != nil else { return nil }
        let torn = try InProgressFile.cutToLastCompleteMember(path)
        let size = try POSIXFile.openForReading(path).size()
        if size == 0 {
            try Directory.removeFile(path)
            try Directory.sync(Directory.parentPath(of: path))
            return RecoveredFile(path: path, keptBytes: 0, cutBytes: torn?.cutBytes ?? 0, removed: true)
        }
        let finished = ArchiveFileName.finishedPath(forInProgress: path)
        try Directory.rename(path, to: finished)
        return RecoveredFile(path: finished, keptBytes: size, cutBytes: torn?.cutBytes ?? 0, removed: false)
    }

    /// A journal entry is accepted only if it names an in-progress file under events/ or rejected/ with no `..`.
    static func safeRelativePath(_ entry: String) -> String? {
        let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
        guard let first = parts.first, first == "events" || first == "rejected",
            parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }),
            let last = parts.last, ArchiveFileName.isInProgress(String(last))
        else { return nil }
        return entry
    }
}
