import Crypto

/// A sealed file being written: lines in their final order, compressed into one gzip member under the hour's
/// hidden `_sealing-<pid>…part` name, hashed as written, fsynced by `finish`.
///
/// Lines reach deflate in chunks of 1 MiB whichever path produced them (sorted in memory, or merged from runs
/// spilled to disk), so the same lines in the same order give the same bytes. Crash behaviour: the file is
/// hidden until the sealer renames it, and the next seal's recovery removes it.
struct SealedFileWriter {
    static let chunkBytes = 1 << 20

    let path: String
    private let file: POSIXFile
    private let encoder: GzipMemberEncoder
    private var hash = SHA256()
    private var chunk: [UInt8] = []
    private var compressed: [UInt8] = []
    private(set) var bytes: Int64 = 0
    private(set) var events = 0
    private(set) var minEventTime: Int64 = 0
    private(set) var maxEventTime: Int64 = 0

    init(path: String, encoder: GzipMemberEncoder) throws(StorageError) {
        self.path = path
        self.encoder = encoder
        file = try POSIXFile.createTruncating(path)
        chunk.reserveCapacity(Self.chunkBytes + 64 * 1024)
    }

    /// Appends one line (without its newline); `time` is its event_time (lines come in time order).
    mutating func append(_ line: UnsafeRawBufferPointer, time: Int64) throws {
        if events == 0 { minEventTime = time }
        maxEventTime = time
        events += 1
        chunk.append(contentsOf: line)
        chunk.append(0x0A)
        if chunk.count >= Self.chunkBytes { try compress(finish: false) }
    }

    /// Ends the member, writes and fsyncs it; returns its size and SHA-256 (hex).
    mutating func finish() throws -> (bytes: Int64, sha256: String) {
        try compress(finish: true)
        try file.sync()
        return (bytes, hash.finalize().hex)
    }

    private mutating func compress(finish: Bool) throws {
        try withBytes(chunk) { (raw) throws(CodecError) in try encoder.stream(raw, finish: finish, into: &compressed) }
        chunk.removeAll(keepingCapacity: true)
        guard finish || compressed.count >= Self.chunkBytes else { return }
        hash.update(data: compressed)
        try withBytes(compressed) { (raw) throws(StorageError) in try file.write(raw) }
        bytes += Int64(compressed.count)
        compressed.removeAll(keepingCapacity: true)
    }
}
