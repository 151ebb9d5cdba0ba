/// Sorted runs spilled by a step over its memory budget (seal's hours, timelines' buckets): runs of records
/// (`SpillRecord`) written end to end into one scratch file, one run at a time, through one buffer, and read
/// back by their regions (`SpillRun`, `SpillMerge`).
///
/// One file for many runs, not one per run: a large day spills thousands of runs, and on ext4 creating a
/// file where many were just deleted (as seal deletes its sources) costs more kernel time than writing it.
/// The file is unnamed (`POSIXFile.createUnnamed`), so it is gone when the last descriptor closes, crash or
/// not, and never fsynced. A reused file is written over from its start.
package struct SpillRunFile {
    private let file: POSIXFile
    private let flushBytes: Int
    private var buffer: [UInt8] = []
    /// Bytes in the file, and where the run being written starts.
    private var written: Int64 = 0
    private var runStart: Int64 = 0

    /// The write buffer for a step with `budget` bytes: an eighth of it, between 4 KiB and 1 MiB.
    package static func flushBytes(budget: Int) -> Int { max(4096, min(1 << 20, budget / 8)) }

    /// Writes runs into `file` from its start, over whatever an earlier use left there.
    package init(file: POSIXFile, flushBytes: Int) {
        self.file = file
        self.flushBytes = flushBytes
    }

    /// Appends a record to the run being written.
    package mutating func append(
        time: Int64, seq: Int64, key: UnsafeRawBufferPointer, uuid: UnsafeRawBufferPointer, line: UnsafeRawBufferPointer
    ) throws(StorageError) {
        SpillRecord.encode(time: time, seq: seq, key: key, uuid: uuid, line: line, into: &buffer)
        if buffer.count >= flushBytes { try flush() }
    }

    /// Ends the run being written (every record appended since the last call) and returns where it lies.
    package mutating func endRun() throws(StorageError) -> SpillRun {
        try flush()
        defer { runStart = written }
        return SpillRun(file: file, region: runStart..<written)
    }

    private mutating func flush() throws(StorageError) {
        guard !buffer.isEmpty else { return }
        try withBytes(buffer) { (raw) throws(StorageError) in try file.write(raw, at: written) }
        written += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// One sorted run: a region of a `SpillRunFile`.
package struct SpillRun: Sendable {
    let file: POSIXFile
    let region: Range<Int64>
}
