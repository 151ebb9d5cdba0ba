/// `withUnsafeBytes` that keeps the closure's typed error (the standard library's version erases it to `any Error`).
package func withBytes<T, E: Error>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
    var result: Result<T, E>!
    bytes.withUnsafeBytes { raw in
        do throws(E) { result = .success(try body(raw)) } catch { result = .failure(error) }
    }
    return try result.get()
}
