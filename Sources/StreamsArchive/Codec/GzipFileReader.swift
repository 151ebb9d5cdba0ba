import Glibc

/// Reads a gzip file of one or more members (RFC 1952), line by line, in bounded memory.
///
/// Every member's CRC-32 and length are checked as it ends. Members are inflated whole by libdeflate while
/// each fits the read-ahead and the output buffer (`GzipReadBuffers`); from the first one that does not (too
/// large, cut short, or damaged) zlib streams the rest of the file, so damage is found and described exactly
/// as zlib sees it. Lines are delivered as they inflate, so on a damaged member the lines of that member
/// decoded before the damage may already have been seen; the error says where the last good member ends.
public final class GzipFileReader {
    public let path: String
    /// End of the last complete, CRC-checked member read so far.
    public private(set) var lastGoodOffset: Int64 = 0
    public private(set) var memberCount = 0
    public private(set) var compressedBytesRead: Int64 = 0
    public private(set) var uncompressedBytes: Int64 = 0
    /// Where zlib's streaming path took over from whole members (nil if it never did): the first member that
    /// was too large for the buffers, cut short, or damaged.
    package private(set) var streamingFrom: Int64?

    private let buffers: GzipReadBuffers
    private let maxLineBytes: Int
    /// The bytes of the file to read (whole members), or nil for all of it.
    private let range: Range<Int64>?

    /// - Parameter readBufferSize: bytes read from the file at a time; a member's compressed bytes must fit in
    ///   them to be inflated whole.
    public init(path: String, readBufferSize: Int = 1 << 20, maxLineBytes: Int = 64 << 20) {
        self.path = path
        buffers = GzipReadBuffers(readAhead: readBufferSize)
        self.maxLineBytes = maxLineBytes
        range = nil
    }

    /// Reads all of `path` with a worker's buffers, kept from file to file.
    package init(path: String, buffers: GzipReadBuffers) {
        self.path = path
        self.buffers = buffers
        maxLineBytes = 64 << 20
        range = nil
    }

    /// Reads only `range` of the file, which must hold whole members (a timeline's member, found by its index).
    package init(path: String, range: Range<Int64>, buffers: GzipReadBuffers = GzipReadBuffers()) {
        self.path = path
        self.buffers = buffers
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

    /// The compressed bytes in `buffers.input`: `start..<filled` are not inflated yet, and the buffer's first
    /// byte is the file's byte `base`.
    private struct Window {
        var base: Int64
        var start = 0
        var filled = 0
        /// The file (or the range) has no bytes past `filled`.
        var atEnd = false
        var unread: Int { filled - start }
        var offset: Int64 { base + Int64(start) }
    }

    private func inflateAll(_ onOutput: (UnsafeRawBufferPointer) throws -> Void) throws {
        let file = try POSIXFile.openForReading(path)
        var window = Window(base: range?.lowerBound ?? 0)
        if let inflater = buffers.inflater {
            if try inflateWholeMembers(file, &window, inflater, onOutput) { return }
        }
        try inflateStreaming(file, &window, onOutput)
    }

    /// Inflates whole members while libdeflate takes them; true at the end of the file, false when the member
    /// at `window.offset` is left to zlib.
    private func inflateWholeMembers(
        _ file: POSIXFile, _ window: inout Window, _ inflater: WholeMemberInflater, _ onOutput: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Bool {
        let input = buffers.input
        while true {
            if !window.atEnd && (window.unread == 0 || window.unread < input.count / 2) { try refill(file, &window) }
            guard window.unread > 0 else { return true }
            let unread = UnsafeRawBufferPointer(rebasing: input[window.start..<window.filled])
            if let member = inflater.inflate(unread, into: buffers.output) {
                uncompressedBytes += Int64(member.produced)
                try onOutput(UnsafeRawBufferPointer(rebasing: buffers.output[0..<member.produced]))
                window.start += member.consumed
                lastGoodOffset = window.offset
                memberCount += 1
            } else if !window.atEnd && window.unread < input.count {
                // The member may run past the bytes read: read as far ahead as the buffer holds and try once more.
                try refill(file, &window)
            } else {
                return false
            }
        }
    }

    /// Moves the unread bytes to the front of the buffer and reads the file after them until it is full.
    private func refill(_ file: POSIXFile, _ window: inout Window) throws {
        let input = buffers.input
        if window.start > 0 {
            memmove(input.baseAddress!, input.baseAddress! + window.start, window.unread)
            window.base += Int64(window.start)
            window.filled -= window.start
            window.start = 0
        }
        while !window.atEnd && window.filled < input.count {
            let count = try read(file, into: UnsafeMutableRawBufferPointer(rebasing: input[window.filled...]), at: window.base + Int64(window.filled))
            if count == 0 { window.atEnd = true }
            window.filled += count
        }
    }

    /// Streams the rest of the file through zlib, from the window's unread bytes on.
    private func inflateStreaming(_ file: POSIXFile, _ window: inout Window, _ onOutput: (UnsafeRawBufferPointer) throws -> Void) throws {
        let decoder: GzipMemberDecoder
        do { decoder = try GzipMemberDecoder() } catch { throw GzipSetupError.zlib(error.message) }
        streamingFrom = window.offset
        while true {
            if window.unread == 0 {
                window.base += Int64(window.filled)
                window.start = 0
                // Read again even where the read-ahead met the end: a file still being written may have grown.
                window.filled = try read(file, into: buffers.input, at: window.base)
                guard window.filled > 0 else {
                    if decoder.insideMember { throw damage(.truncated) }
                    return
                }
            }
            let chunkOffset = window.offset
            do {
                try decoder.decode(
                    UnsafeRawBufferPointer(rebasing: buffers.input[window.start..<window.filled]),
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
            window.start = window.filled
        }
    }

    /// Reads into `buffer` from `offset`, never past the range; 0 at its end.
    private func read(_ file: POSIXFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        let wanted = Int(min(Int64(buffer.count), (range?.upperBound ?? .max) - offset))
        guard wanted > 0 else { return 0 }
        let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]), at: offset)
        compressedBytesRead += Int64(count)
        return count
    }

    private func damage(_ problem: GzipReadError.Problem) -> GzipReadError {
        GzipReadError(file: path, lastGoodOffset: lastGoodOffset, problem: problem)
    }
}
