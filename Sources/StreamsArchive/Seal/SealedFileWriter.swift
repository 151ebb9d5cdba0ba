import Crypto

/// A sealed file being written: lines in their final order, cut into gzip members of about 4 MiB each,
/// compressed several at a time on all cores, written in order under the hour's hidden `_sealing-<pid>…part`
/// name, hashed as written; `finish` hands the file back for the sealer to fsync before it is shown.
///
/// A member ends at the first line end at or past `memberBytes`, whichever path produced the lines (sorted in
/// memory, or merged from runs spilled to disk), so the same lines in the same order give the same bytes.
/// Members of a few MB cost about 0.1% in size against one member, and let one large hour be compressed on
/// every core and read back by several. What it holds, a batch of members raw and compressed, is fixed
/// (`heldBytes`) and charged to the hour's share of the memory budget by the sealer. Crash behaviour: the file is hidden until the sealer renames
/// it, and the next seal's recovery removes it.
struct SealedFileWriter {
    static let memberBytes = 4 << 20
    /// Room for a member's lines: `memberBytes` and the line that crosses it.
    private static let memberCapacity = memberBytes + 64 * 1024

    /// The most a writer with `compressors` holds: a batch of members' lines (each up to a line past
    /// `memberBytes`) and their compressed bytes (room for a quarter of each, as the compressor first tries).
    static func heldBytes(compressors: Int) -> Int { compressors * memberCapacity * 5 / 4 }

    let path: String
    private let file: POSIXFile
    private let compressors: [WholeMemberCompressor]
    private var hash = SHA256()
    /// Whole members' lines waiting for a batch, then the one being filled.
    private var pending: [[UInt8]] = [[]]
    private(set) var bytes: Int64 = 0
    private(set) var events = 0
    private(set) var minEventTime: Int64 = 0
    private(set) var maxEventTime: Int64 = 0

    /// - Parameter compressors: one per member compressed at once (the cores to use).
    init(path: String, compressors: [WholeMemberCompressor]) throws(StorageError) {
        precondition(!compressors.isEmpty)
        self.path = path
        self.compressors = compressors
        file = try POSIXFile.createTruncating(path)
        pending[0].reserveCapacity(Self.memberCapacity)
    }

    /// Appends one line (without its newline); `time` is its event_time (lines come in time order).
    mutating func append(_ line: UnsafeRawBufferPointer, time: Int64) throws(StorageError) {
        if events == 0 { minEventTime = time }
        maxEventTime = time
        events += 1
        pending[pending.count - 1].append(contentsOf: line)
        pending[pending.count - 1].append(0x0A)
        guard pending[pending.count - 1].count >= Self.memberBytes else { return }
        if pending.count == compressors.count { try writeBatch() }
        var next: [UInt8] = []
        next.reserveCapacity(Self.memberCapacity)
        pending.append(next)
    }

    /// Writes the last members; returns the file's size, SHA-256 (hex) and the file, not yet fsynced.
    mutating func finish() throws(StorageError) -> (bytes: Int64, sha256: String, file: POSIXFile) {
        if pending.last?.isEmpty == true { pending.removeLast() }
        // An hour with no lines still gets a valid gzip file: one empty member.
        if events == 0 { pending = [[]] }
        try writeBatch()
        return (bytes, hash.finalize().hex, file)
    }

    /// Compresses the pending members, one per compressor at once, and writes them in order.
    private mutating func writeBatch() throws(StorageError) {
        let members = Parallel.map(pending.count, workers: compressors.count) { [pending, compressors] worker, index in
            var member: [UInt8] = []
            pending[index].withUnsafeBytes { compressors[worker].appendMember(of: $0, to: &member) }
            return member
        }
        pending.removeAll()
        for member in members {
            hash.update(data: member)
            try withBytes(member) { (raw) throws(StorageError) in try file.write(raw) }
            bytes += Int64(member.count)
        }
    }
}
