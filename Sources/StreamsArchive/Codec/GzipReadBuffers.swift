/// A gzip reader's working memory: the compressed bytes read ahead and room for one whole member's lines.
///
/// A worker that reads many files keeps one and hands it to each `GzipFileReader` in turn, so the pages are
/// touched once, not once per file. Its size is fixed (`bytes`) whatever the file holds: a member that
/// inflates to more than `wholeMemberLimit` is read by zlib's streaming path with the rest of its file. Not
/// thread-safe; one per worker.
package final class GzipReadBuffers {
    /// Room for one member's lines: a sealed member (4 MiB, `SealedFileWriter.memberBytes`, and the line that
    /// crosses it, up to 256 KiB) fits, and so does every member the receiver and timelines write. The sealed
    /// members test checks that a sealed file is read whole.
    package static let defaultWholeMemberLimit = (4 << 20) + (256 << 10)
    /// Read-ahead: a member's compressed bytes must all be in it to be inflated whole. A sealed member of
    /// 4 MiB of JSON lines is about 0.5 MB of gzip.
    package static let defaultReadAhead = 1 << 20

    let input: UnsafeMutableRawBufferPointer
    let output: UnsafeMutableRawBufferPointer
    let inflater: WholeMemberInflater?

    /// - Parameters:
    ///   - readAhead: bytes of the file read at a time.
    ///   - wholeMemberLimit: the largest member inflated whole; 0 streams every member through zlib.
    package init(readAhead: Int = defaultReadAhead, wholeMemberLimit: Int = defaultWholeMemberLimit) {
        input = .allocate(byteCount: max(1, readAhead), alignment: 16)
        output = .allocate(byteCount: max(1, wholeMemberLimit), alignment: 16)
        inflater = wholeMemberLimit > 0 ? WholeMemberInflater() : nil
    }

    deinit {
        input.deallocate()
        output.deallocate()
    }

    /// What the buffers hold at most, for a step's memory accounting.
    package var bytes: Int { input.count + output.count }
}
