import Glibc

/// A live writer process: a unique id for its file names, a lock that dies with the process, and a journal
/// of the in-progress files it created, so recovery finds them without walking every partition.
///
/// The lock file `_writers/<id>.lock` holds an exclusive `flock` for the life of the process. Recovery treats
/// a journal whose lock it can take as belonging to a dead writer.
package final class WriterIdentity {
    package let id: String
    let layout: ArchiveLayout
    private let journal: POSIXFile
    private var journalSize: Int64

    /// Starts a writer with a fresh id: `<UTC start time>-<random>`.
    package init(layout: ArchiveLayout) throws(StorageError) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var generator = SystemRandomNumberGenerator()
        let random = String(generator.next() & 0xFFFF_FFFF, radix: 16)
        id = Self.timestamp(Int64(now.tv_sec)) + "-" + String(repeating: "0", count: 8 - random.count) + random
        self.layout = layout
        try Directory.create(layout.root)
        try Directory.createDurably(layout.writersDirectory, below: layout.root)
        // Locked before it gets the name recovery looks for, so recovery can never mistake it for a dead writer's.
        let path = Self.journalPath(layout, id)
        let file = try POSIXFile.createExclusive(path + ".new")
        guard try file.tryLockExclusive() else { throw StorageError("lock", path: file.path, code: EWOULDBLOCK) }
        try Directory.rename(path + ".new", to: path)
        journal = file
        journalSize = 0
    }

    /// Records (durably) that this writer is about to create `relativePath`, before it exists.
    func record(_ relativePath: String) throws(StorageError) {
        let line = Array((relativePath + "\n").utf8)
        try journal.write(line, at: journalSize)
        try journal.sync()
        journalSize += Int64(line.count)
    }

    /// Moves the journal to `_writers/retired/` once every file in it is finished (clean shutdown); it is kept
    /// a day so the next receiver can rebuild its dedup index from the files it names.
    package func retire() throws(StorageError) {
        try WriterJournals.retire(Self.journalPath(layout, id), layout: layout)
    }

    static func journalPath(_ layout: ArchiveLayout, _ id: String) -> String {
        "\(layout.writersDirectory)/\(id).lock"
    }

    /// `yyyyMMddTHHmmssZ` for an epoch-seconds instant.
    static func timestamp(_ seconds: Int64) -> String {
        let date = UTCDate(epochSeconds: seconds)
        let (year, month, day) = date.components
        let time = seconds - date.startEpochSeconds
        return UTCDate.pad(year, 4) + UTCDate.pad(month, 2) + UTCDate.pad(day, 2) + "T"
            + UTCDate.pad(time / 3600, 2) + UTCDate.pad(time / 60 % 60, 2) + UTCDate.pad(time % 60, 2) + "Z"
    }
}
