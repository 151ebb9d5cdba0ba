import Synchronization

/// Counters the read workers bump as they go, so a terminal can show files, MB and events/s while a day is read.
public final class ReadProgress: Sendable {
    private let filesDone = Atomic<Int>(0)
    private let bytesDone = Atomic<Int>(0)
    private let eventsDone = Atomic<Int>(0)
    private let filesToRead = Atomic<Int>(0)
    private let bytesToRead = Atomic<Int>(0)

    public init() {}

    public var files: Int { filesDone.load(ordering: .relaxed) }
    /// Compressed bytes of the files finished so far.
    public var bytes: Int { bytesDone.load(ordering: .relaxed) }
    public var events: Int { eventsDone.load(ordering: .relaxed) }
    /// Files and compressed bytes to read, as far as listed: the whole day once it is, a range's groups of hours
    /// as each begins.
    public var totalFiles: Int { filesToRead.load(ordering: .relaxed) }
    public var totalBytes: Int { bytesToRead.load(ordering: .relaxed) }

    /// Adds a read's files to the totals (a range read in groups begins once per group).
    func begin(files: Int, bytes: Int64) {
        filesToRead.add(files, ordering: .relaxed)
        bytesToRead.add(Int(bytes), ordering: .relaxed)
    }

    func fileFinished(bytes: Int64, events: Int) {
        filesDone.add(1, ordering: .relaxed)
        bytesDone.add(Int(bytes), ordering: .relaxed)
        eventsDone.add(events, ordering: .relaxed)
    }
}
