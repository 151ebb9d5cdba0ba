import CLZ4
import Glibc
import StreamsArchive

/// Timelines' phase-one spill files (`TimelineSpill`): each flush of a bucket's buffer, whole spill records
/// (`SpillRunWriter.encode`), is one LZ4 block `[raw length UInt32][block length UInt32][block]`, little-endian.
///
/// The spill is every event of the day once, written and read back once; LZ4 compresses it to about a
/// quarter at gigabytes a second a core, so a large day's spill is a quarter of the bytes through the page
/// cache and the disk for a fraction of a core. A block holds only whole records, so it is read back on its
/// own. All pointer work with liblz4 is in this file. The files are scratch, never fsynced; a block that
/// does not decode (a disk that returned other bytes) is a `StorageError` naming the file and offset, and the
/// build stops before publishing anything.
package enum SpillBlocks {
    package static let headerBytes = 8

    /// Appends `raw` to `out` as one block.
    package static func append(_ raw: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        precondition(raw.count <= Int(LZ4_MAX_INPUT_SIZE), "a spill block of \(raw.count) bytes is over LZ4's limit")
        let start = out.count
        let bound = Int(LZ4_compressBound(Int32(raw.count)))
        out.append(contentsOf: repeatElement(0, count: headerBytes + bound))
        let written = out.withUnsafeMutableBytes { buffer in
            let block = buffer.baseAddress! + start + headerBytes
            let written = LZ4_compress_default(raw.baseAddress?.assumingMemoryBound(to: CChar.self), block.assumingMemoryBound(to: CChar.self), Int32(raw.count), Int32(bound))
            buffer.storeBytes(of: UInt32(raw.count).littleEndian, toByteOffset: start, as: UInt32.self)
            buffer.storeBytes(of: UInt32(written).littleEndian, toByteOffset: start + 4, as: UInt32.self)
            return Int(written)
        }
        // LZ4_compress_default fails only for a destination smaller than its bound, which this never passes.
        precondition(written > 0 || raw.isEmpty, "LZ4 refused a block with its own bound")
        out.removeLast(bound - written)
    }

    /// Reads a spill file's blocks in order and hands out their records. Its two buffers grow to the largest
    /// block and are reused for every block.
    package struct Reader {
        let path: String
        private let file: POSIXFile
        private var offset: Int64 = 0
        private var block: [UInt8] = []
        /// The decoded block is `records[..<recordBytes]`.
        private var records: [UInt8] = []
        private var recordBytes = 0

        package init(path: String) throws(StorageError) {
            self.path = path
            file = try POSIXFile.openForReading(path)
        }

        /// Calls `body` with every record's fields where they lie in the decoded block (valid only during the call).
        package mutating func forEachRecord(
            _ body: (_ time: Int64, _ key: UnsafeRawBufferPointer, _ uuid: UnsafeRawBufferPointer, _ line: UnsafeRawBufferPointer) throws -> Void
        ) throws {
            while try nextBlock() {
                try records.withUnsafeBytes { all in
                    let raw = UnsafeRawBufferPointer(rebasing: all[..<recordBytes])
                    var position = 0
                    while position < raw.count {
                        guard raw.count - position >= SpillRunWriter.headerBytes, case let size = SpillRecord.size(in: raw, at: position), size <= raw.count - position else {
                            throw damaged(reason: "a block ends inside a record")
                        }
                        try SpillRecord.fields(in: raw, at: position) { time, _, key, uuid, line in try body(time, key, uuid, line) }
                        position += size
                    }
                }
            }
        }

        /// Decodes the next block into `records`; false at the end of the file.
        private mutating func nextBlock() throws -> Bool {
            var header = (UInt32(0), UInt32(0))
            let got = try withUnsafeMutableBytes(of: &header) { (buffer) throws(StorageError) in try file.read(into: buffer, at: offset) }
            if got == 0 { return false }
            guard got == SpillBlocks.headerBytes else { throw damaged(reason: "the file ends inside a block's header") }
            let (rawCount, blockCount) = (Int(UInt32(littleEndian: header.0)), Int(UInt32(littleEndian: header.1)))
            guard rawCount <= Int(LZ4_MAX_INPUT_SIZE), blockCount <= Int(LZ4_compressBound(Int32(rawCount))) else {
                throw damaged(reason: "a block's header gives \(rawCount) bytes in \(blockCount)")
            }
            if block.count < blockCount { block = [UInt8](repeating: 0, count: blockCount) }
            if records.count < rawCount { records = [UInt8](repeating: 0, count: rawCount) }
            let start = offset + Int64(SpillBlocks.headerBytes)
            let read = try block.withUnsafeMutableBytes { (buffer) throws(StorageError) in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<blockCount]), at: start)
            }
            guard read == blockCount else { throw damaged(reason: "the file ends inside a block") }
            let decoded = block.withUnsafeBytes { source in
                records.withUnsafeMutableBytes { target in
                    LZ4_decompress_safe(
                        source.baseAddress?.assumingMemoryBound(to: CChar.self), target.baseAddress?.assumingMemoryBound(to: CChar.self),
                        Int32(blockCount), Int32(rawCount)
                    )
                }
            }
            guard decoded == rawCount else { throw damaged(reason: "a block does not decode to its \(rawCount) bytes") }
            recordBytes = rawCount
            offset = start + Int64(blockCount)
            return true
        }

        private func damaged(reason: String) -> StorageError {
            StorageError("read", path: path, reason: "spill file damaged at offset \(offset): \(reason); re-run the build")
        }
    }
}
