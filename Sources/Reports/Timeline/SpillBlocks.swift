import CLZ4
import Glibc
import StreamsArchive

/// Timelines' phase-one spill files (`TimelineSpill`): each flush of a bucket's buffer, whole spill records
/// (`SpillRecord.encode`), is one LZ4 block `[raw length UInt32][block length UInt32][block]`, little-endian.
///
/// The spill is every event of the day once, written and read back once; LZ4 compresses it to about a
/// quarter at gigabytes a second a core, so a large day's spill is a quarter of the bytes through the page
/// cache and the disk for a fraction of a core. A block holds only whole records, so it is read back on its
/// own. All pointer work with liblz4 is in this file. The files are scratch, never fsynced; a block that
/// does not decode (a disk that returned other bytes) is a `StorageError` naming the file and offset, and the
/// build stops before publishing anything.
package enum SpillBlocks {
    package static let headerBytes = 8

    /// Writes `raw` as one block at the start of `block`, which grows (once, to the largest block's bound)
    /// only when it is too small and is never cleared between calls; returns the block's size.
    package static func encode(_ raw: UnsafeRawBufferPointer, into block: inout [UInt8]) -> Int {
        precondition(raw.count <= Int(LZ4_MAX_INPUT_SIZE), "a spill block of \(raw.count) bytes is over LZ4's limit")
        let bound = Int(LZ4_compressBound(Int32(raw.count)))
        if block.count < headerBytes + bound { block = [UInt8](repeating: 0, count: headerBytes + bound) }
        let written = block.withUnsafeMutableBytes { buffer in
            let written = LZ4_compress_default(
                raw.baseAddress?.assumingMemoryBound(to: CChar.self), (buffer.baseAddress! + headerBytes).assumingMemoryBound(to: CChar.self),
                Int32(raw.count), Int32(bound)
            )
            buffer.storeBytes(of: UInt32(raw.count).littleEndian, toByteOffset: 0, as: UInt32.self)
            buffer.storeBytes(of: UInt32(written).littleEndian, toByteOffset: 4, as: UInt32.self)
            return Int(written)
        }
        // LZ4_compress_default fails only for a destination smaller than its bound, which this never passes.
        precondition(written > 0 || raw.isEmpty, "LZ4 refused a block with its own bound")
        return headerBytes + written
    }

    /// Reads a spill file's blocks in order, through one read buffer (`BufferedFileReader`), and hands out
    /// their records; the decoded block's buffer grows to the largest block and is reused.
    package struct Reader {
        private var reader: BufferedFileReader
        /// The decoded block is `records[..<recordBytes]`.
        private var records: [UInt8] = []
        private var recordBytes = 0

        /// `bufferBytes`: the read buffer, or the file's size if smaller.
        package init(path: String, bufferBytes: Int) throws(StorageError) {
            reader = try BufferedFileReader(path: path, bufferBytes: bufferBytes)
        }

        /// Calls `body` with every record's fields where they lie in the decoded block (valid only during the call).
        package mutating func forEachRecord(
            _ body: (_ time: Int64, _ key: UnsafeRawBufferPointer, _ uuid: UnsafeRawBufferPointer, _ line: UnsafeRawBufferPointer) throws -> Void
        ) throws {
            while let offset = try nextBlock() {
                try records.withUnsafeBytes { all in
                    let raw = UnsafeRawBufferPointer(rebasing: all[..<recordBytes])
                    var position = 0
                    while position < raw.count {
                        guard raw.count - position >= SpillRecord.headerBytes, case let size = SpillRecord.size(in: raw, at: position), size <= raw.count - position else {
                            throw damaged(at: offset, "a block ends inside a record")
                        }
                        try SpillRecord.fields(in: raw, at: position) { time, _, key, uuid, line in try body(time, key, uuid, line) }
                        position += size
                    }
                }
            }
        }

        /// Decodes the next block into `records` and returns its offset in the file; nil at the end of the file.
        private mutating func nextBlock() throws -> Int64? {
            let offset = reader.consumedOffset
            guard try reader.fill(SpillBlocks.headerBytes) else {
                if reader.unread == 0 { return nil }
                throw damaged(at: offset, "the file ends inside a block's header")
            }
            let (rawCount, blockCount) = (Int(reader.uint32(at: 0)), Int(reader.uint32(at: 4)))
            guard rawCount <= Int(LZ4_MAX_INPUT_SIZE), blockCount <= Int(LZ4_compressBound(Int32(rawCount))) else {
                throw damaged(at: offset, "a block's header gives \(rawCount) bytes in \(blockCount)")
            }
            guard try reader.fill(SpillBlocks.headerBytes + blockCount) else { throw damaged(at: offset, "the file ends inside a block") }
            if records.count < rawCount { records = [UInt8](repeating: 0, count: rawCount) }
            var decoded: Int32 = -1
            reader.withUnread(SpillBlocks.headerBytes + blockCount) { source in
                decoded = records.withUnsafeMutableBytes { target in
                    LZ4_decompress_safe(
                        (source.baseAddress! + SpillBlocks.headerBytes).assumingMemoryBound(to: CChar.self),
                        target.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(blockCount), Int32(rawCount)
                    )
                }
            }
            reader.skip(SpillBlocks.headerBytes + blockCount)
            guard decoded == rawCount else { throw damaged(at: offset, "a block does not decode to its \(rawCount) bytes") }
            recordBytes = rawCount
            return offset
        }

        private func damaged(at offset: Int64, _ reason: String) -> StorageError {
            StorageError("read", path: reader.path, reason: "spill file damaged at offset \(offset): \(reason); re-run the build")
        }
    }
}
