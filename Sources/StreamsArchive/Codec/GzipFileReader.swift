/// Reads a gzip file of one or more members (RFC 1952), line by line, in bounded memory.
///
/// Every member's CRC-32 and length are checked as it ends. Lines are delivered as they inflate, so
/// on a damaged member the lines of that member decoded before the damage may already have been seen;
/// the error says where the last good member ends.
public final class GzipFileReader {
    public let path: String
    /// End of the last complete, CRC-checked member read so far.
    public private(set) var lastGoodOffset: Int64 = 0
    public private(set) var memberCount = 0
    public private(set) var compressedBytesRead: Int64 = 0
    public private(set) var uncompressedBytes: Int64 = 0

    private let readBufferSize: Int
    private let maxLineBytes: Int
    /// The bytes of the file to read (whole members), or nil for all of it.
    private let range: Range<Int64>?

    public init(path: String, readBufferSize: Int = 1 << 20, maxLineBytes: Int = 64 << 20) {
        self.path = path
        self.readBufferSize = readBufferSize
        self.maxLineBytes = maxLineBytes
        range = nil
    }

    /// Reads only `range` of the file, which must hold whole members (a timeline's member, found by its index).
    package init(path: String, range: Range<Int64>, readBufferSize: Int = 256 << 10) {
        self.path = path
        self.readBufferSize = readBufferSize
        maxLineBytes = 64 << 20
        self.range = range
        lastGoodOffset = range.lowerBound
    }

    /// Calls `body` with each line, newline removed. Throws `GzipReadError` on damage, `StorageError` on I/O.
    public func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var splitter = LineSplitter(maxLineBytes: maxLineBytes)
        do {
            try inflateAll { chunk in try splitter.feed(chunk, body) }
            try splitter.finish(body)
        } catch let error as LineTooLong {
            throw GzipReadError(file: path, lastGoodOffset: lastGoodOffset, problem: .lineTooLong(limit: error.limit))
        }
    }

    /// Every line as bytes; for tests and small files.
    public func readAllLines() throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        try forEachLine { lines.append(Array($0)) }
        return lines
    }

    /// Checks every member to the end of the file without splitting lines.
    public func verifyMembers() throws {
        try inflateAll { _ in }
    }

    private func inflateAll(_ onOutput: (UnsafeRawBufferPointer) throws -> Void) throws {
        let file = try POSIXFile.openForReading(path)
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: readBufferSize, alignment: 16)
        defer { input.deallocate() }
        let decoder: GzipMemberDecoder
        do { decoder = try GzipMemberDecoder() } catch { throw GzipSetupError.zlib(error.message) }
        var chunkOffset: Int64 = range?.lowerBound ?? 0
        let end = range?.upperBound ?? .max
        while true {
            let wanted = Int(min(Int64(input.count), end - chunkOffset))
            let count = wanted > 0 ? try file.read(into: UnsafeMutableRawBufferPointer(rebasing: input[0..<wanted]), at: chunkOffset) : 0
            guard count > 0 else {
                if decoder.insideMember { throw damage(.truncated) }
                return
            }
            compressedBytesRead += Int64(count)
            do {
                try decoder.decode(
                    UnsafeRawBufferPointer(rebasing: input[0..<count]),
                    onOutput: { inflated in
                        uncompressedBytes += Int64(inflated.count)
                        try onOutput(inflated)
                    },
                    onMemberEnd: { end in
                        lastGoodOffset = chunkOffset + Int64(end)
                        memberCount += 1
                    }
                )
            } catch let error as CodecError {
                throw damage(.corrupt(error.message))
            }
            chunkOffset += Int64(count)
        }
    }

    private func damage(_ problem: GzipReadError.Problem) -> GzipReadError {
        GzipReadError(file: path, lastGoodOffset: lastGoodOffset, problem: problem)
    }
}
