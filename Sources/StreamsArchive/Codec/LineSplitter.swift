import Glibc

/// Cuts a byte stream into lines, handing each complete line to a callback without copying when it can.
///
/// A line that spans two chunks is carried over; `maxLineBytes` bounds that carry so memory stays
/// bounded whatever the input holds.
struct LineSplitter {
    let maxLineBytes: Int
    private var carry: [UInt8] = []

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Bytes of an unfinished line waiting for the next chunk.
    var pendingCount: Int { carry.count }

    /// Feeds a chunk; `body` sees each complete line without its newline.
    mutating func feed(
        _ chunk: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard let base = chunk.baseAddress, !chunk.isEmpty else { return }
        var start = 0
        while start < chunk.count {
            guard let hit = memchr(base + start, 0x0A, chunk.count - start) else { break }
            let end = base.distance(to: UnsafeRawPointer(hit))
            let piece = UnsafeRawBufferPointer(start: base + start, count: end - start)
            if carry.isEmpty {
                guard piece.count <= maxLineBytes else { throw LineTooLong(limit: maxLineBytes) }
                try body(piece)
            } else {
                try append(piece)
                try carry.withUnsafeBytes { try body($0) }
                carry.removeAll(keepingCapacity: true)
            }
            start = end + 1
        }
        if start < chunk.count {
            try append(UnsafeRawBufferPointer(start: base + start, count: chunk.count - start))
        }
    }

    /// Delivers a last line that had no newline.
    mutating func finish(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !carry.isEmpty else { return }
        try carry.withUnsafeBytes { try body($0) }
        carry.removeAll(keepingCapacity: false)
    }

    private mutating func append(_ piece: UnsafeRawBufferPointer) throws {
        guard carry.count + piece.count <= maxLineBytes else {
            throw LineTooLong(limit: maxLineBytes)
        }
        carry.append(contentsOf: piece)
    }
}

/// A line longer than the reader's bound.
struct LineTooLong: Error {
    let limit: Int
}
