import Glibc

/// Reads a file, or one region of it, front to back through one buffer, for readers of records that lie end
/// to end (seal's and timelines' sorted runs, timelines' spill blocks): a few large reads instead of one or two
/// per record.
///
/// The buffer is allocated once, at `bufferBytes` or the region's size if smaller, and grows only to hold a
/// record larger than itself. It never writes; a read error is a `StorageError` naming the file.
package struct BufferedFileReader {
    package var path: String { file.path }
    private let file: POSIXFile
    /// Read from the file; `position..<end` is what is still unread.
    private var buffer: [UInt8]
    private var position = 0
    private var end = 0
    /// The file offset of `buffer[end]`, and where the region ends.
    private var offset: Int64
    private let limit: Int64

    /// Reads the whole file at `path`.
    package init(path: String, bufferBytes: Int) throws(StorageError) {
        let file = try POSIXFile.openForReading(path)
        try self.init(file: file, region: 0..<file.size(), bufferBytes: bufferBytes)
    }

    /// Reads `region` of `file` (a run in a scratch file of runs, `SpillRunFile`).
    package init(file: POSIXFile, region: Range<Int64>, bufferBytes: Int) {
        self.file = file
        offset = region.lowerBound
        limit = region.upperBound
        buffer = [UInt8](repeating: 0, count: max(64, min(bufferBytes, Int(clamping: region.count))))
    }

    /// Bytes read from the file and not yet consumed.
    package var unread: Int { end - position }

    /// The file offset of the next unconsumed byte.
    package var consumedOffset: Int64 { offset - Int64(unread) }

    /// Bytes of the region not yet consumed, read or not.
    package var remaining: Int64 { limit - consumedOffset }

    /// Makes `count` bytes available to `uint32(at:)` and `withUnread`; false if the file ends first (`unread`
    /// then says how many bytes it had left).
    package mutating func fill(_ count: Int) throws(StorageError) -> Bool {
        if unread >= count { return true }
        // The unread bytes move to the front; the buffer grows only for a record larger than itself.
        let unread = self.unread
        buffer.withUnsafeMutableBytes { raw in
            if unread > 0 { memmove(raw.baseAddress!, raw.baseAddress! + position, unread) }
        }
        position = 0
        end = unread
        if buffer.count < count { buffer.append(contentsOf: repeatElement(0, count: count - buffer.count)) }
        while end < count {
            var outcome: Result<Int, StorageError> = .success(0)
            buffer.withUnsafeMutableBytes { raw in
                do throws(StorageError) {
                    let room = min(raw.count - end, Int(clamping: limit - offset))
                    outcome = .success(try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[end..<end + room]), at: offset))
                } catch {
                    outcome = .failure(error)
                }
            }
            let more = try outcome.get()
            if more == 0 { return false }
            end += more
            offset += Int64(more)
        }
        return true
    }

    /// The little-endian `UInt32` at `index` of the unread bytes (`fill` made them available).
    package func uint32(at index: Int) -> UInt32 {
        precondition(index + 4 <= unread, "uint32(at: \(index)) with \(unread) bytes filled")
        return buffer.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: position + index, as: UInt32.self)) }
    }

    /// Calls `body` with the next `count` bytes (valid only during the call; `fill(count)` made them
    /// available), leaving them unread. Not generic: it is called per record from other modules, where an
    /// unspecialized generic would look up type metadata on every call.
    package func withUnread(_ count: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        precondition(count <= unread, "withUnread(\(count)) with \(unread) bytes filled")
        try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[position..<position + count])) }
    }

    /// Consumes the next `count` bytes, which `fill(count)` made available.
    package mutating func skip(_ count: Int) {
        precondition(count <= unread, "skip(\(count)) with \(unread) bytes filled")
        position += count
    }
}
