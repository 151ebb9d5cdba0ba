import Glibc

/// The journals in `_writers/`: `<id>.lock` for writers that are running or died, and
/// `retired/<id>.journal` for writers that stopped or were recovered, kept a day for dedup warm-up.
package enum WriterJournals {
    /// How long a retired journal is kept.
    package static let retiredLifetime: Duration = .seconds(86_400)

    static func retiredDirectory(_ layout: ArchiveLayout) -> String { layout.writersDirectory + "/retired" }

    /// Every journal path, live and retired.
    package static func all(_ layout: ArchiveLayout) throws(StorageError) -> [String] {
        let live = try Directory.entries(layout.writersDirectory).filter { $0.hasSuffix(".lock") }.map { layout.writersDirectory + "/" + $0 }
        let retired = try Directory.entries(retiredDirectory(layout)).filter { $0.hasSuffix(".journal") }.map { retiredDirectory(layout) + "/" + $0 }
        return live + retired
    }

    /// The relative paths a journal lists, keeping only safe ones (under events/ or rejected/, no `..`).
    package static func entries(_ journal: String) throws(StorageError) -> [String] {
        guard let file = try POSIXFile.openForUpdateIfExists(journal) else { return [] }
        return String(decoding: try file.readToEnd(), as: UTF8.self).split(separator: "\n").compactMap { ArchiveRecovery.safeRelativePath(String($0)) }
    }

    /// Moves a journal whose files are all finished into `retired/`.
    static func retire(_ journal: String, layout: ArchiveLayout) throws(StorageError) {
        try Directory.create(retiredDirectory(layout))
        let name = Directory.fileName(of: journal)
        let base = name.hasSuffix(".lock.new") ? String(name.dropLast(9)) : String(name.dropLast(5))
        try Directory.rename(journal, to: retiredDirectory(layout) + "/" + base + ".journal")
    }

    /// Removes retired journals older than `retiredLifetime`.
    package static func pruneRetired(_ layout: ArchiveLayout, now: UTCInstant) throws(StorageError) {
        for name in try Directory.entries(retiredDirectory(layout)) where name.hasSuffix(".journal") {
            let path = retiredDirectory(layout) + "/" + name
            if let file = try POSIXFile.openForUpdateIfExists(path), try file.modified() < now - retiredLifetime {
                try Directory.removeFile(path)
            }
        }
    }
}
