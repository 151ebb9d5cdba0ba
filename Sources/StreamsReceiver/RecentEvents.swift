import Logging
import StreamsArchive

/// Rebuilds the dedup index after a restart from what is already on disk.
///
/// Every writer's journal (live, dead, or retired after a clean stop) names the files it created. Files
/// modified within the window are read, and each line's `event_uuid` whose `received_at` is within the
/// window is recorded, so a retry that arrives after a restart is still recognised.
package enum RecentEvents {
    package static func load(into index: inout DedupIndex, layout: ArchiveLayout, now: UTCInstant, logger: Logger) throws {
        let since = now - index.window
        let scanner = JSONScanner()
        var document = JSONDocument()
        var files = 0
        for journal in try WriterJournals.all(layout) {
            for relative in try WriterJournals.entries(journal) {
                guard let path = existingPath(layout.root + "/" + relative), try modified(path) >= since else { continue }
                files += 1
                do {
                    try GzipFileReader(path: path).forEachLine { line in
                        guard (try? document.scan(line, with: scanner)) != nil, document.kind(document.root) == .object,
                            let uuid = document.eventUUID(of: document.root),
                            let received = document.member(of: document.root, named: "received_at").flatMap(document.integer),
                            UTCInstant(millisecondsSinceEpoch: received) >= since
                        else { return }
                        index.insert(uuid, at: UTCInstant(millisecondsSinceEpoch: received))
                    }
                } catch let damage as GzipReadError {
                    logger.warning("dedup warm-up stopped at a damaged member", metadata: ["file": "\(path)", "error": "\(damage)"])
                }
            }
        }
        logger.info("dedup index warmed from recent files", metadata: ["files": "\(files)", "event_uuids": "\(index.count)"])
    }

    /// The file as journaled, or under its finished name if it was finished since.
    private static func existingPath(_ path: String) -> String? {
        if (try? POSIXFile.openForReading(path)) != nil { return path }
        let finished = ArchiveFileName.finishedPath(forInProgress: path)
        return (try? POSIXFile.openForReading(finished)) != nil ? finished : nil
    }

    private static func modified(_ path: String) throws -> UTCInstant {
        try POSIXFile.openForReading(path).modified()
    }
}
