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

    public init(path: String, readBufferSize: Int = 1 << 20, maxLineBytes: Int = 64 << 20) {
        self.path = path
        self.readBufferSize = readBufferSize
        self.maxLineBytes = maxLineBytes
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
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { output.deallocate() }
        let stream: ZlibStream
        do { stream = try ZlibStream(.inflate) } catch { throw GzipSetupError.zlib(error.message) }

        var chunkOffset: Int64 = 0
        var start = 0
        var end = 0
        var insideMember = false
        while true {
            if start == end {
                chunkOffset += Int64(end)
                end = try file.read(into: input)
                start = 0
                compressedBytesRead += Int64(end)
                if end == 0 {
                    if insideMember { throw damage(.truncated) }
                    return
                }
            }
            let step: ZlibStream.InflateStep
            do {
                step = try stream.inflate(UnsafeRawBufferPointer(rebasing: input[start..<end]), into: output)
            } catch {
                throw damage(.corrupt(error.message))
            }
            insideMember = true
            start += step.consumed
            uncompressedBytes += Int64(step.produced)
            if step.produced > 0 {
                try onOutput(UnsafeRawBufferPointer(rebasing: output[0..<step.produced]))
            }
            if step.memberEnded {
                lastGoodOffset = chunkOffset + Int64(start)
                memberCount += 1
                insideMember = false
                stream.reset()
            } else if step.consumed == 0 && step.produced == 0 && start < end {
                throw damage(.corrupt("inflate made no progress"))
            }
        }
    }

    private func damage(_ problem: GzipReadError.Problem) -> GzipReadError {
        GzipReadError(file: path, lastGoodOffset: lastGoodOffset, problem: problem)
    }
}
