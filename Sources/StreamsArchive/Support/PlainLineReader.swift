import Glibc

/// Reads a plain (uncompressed) file line by line in bounded memory.
package struct PlainLineReader {
    package let path: String
    package let maxLineBytes: Int

    package init(path: String, maxLineBytes: Int = 64 << 20) {
        self.path = path
        self.maxLineBytes = maxLineBytes
    }

    /// Calls `body` with each line, newline removed; the last line may lack one.
    package func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let file = try POSIXFile.openForReading(path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var splitter = LineSplitter(maxLineBytes: maxLineBytes)
        do {
            while true {
                let n = try file.read(into: buffer)
                if n == 0 { break }
                try splitter.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), body)
            }
            try splitter.finish(body)
        } catch is LineTooLong {
            throw StorageError("read a line longer than \(maxLineBytes) bytes from", path: path, code: EFBIG)
        }
    }
}
