/// A local file and the object it becomes: name in its directory, path, key, size, SHA-256 (hex) and type.
package struct LocalObject: Sendable, Equatable {
    package let name: String
    package let path: String
    package let key: String
    package let bytes: Int64
    package let sha256: String
    package let contentType: String

    /// The media type a reader of the bucket sees, by the file's name.
    static func contentType(of name: String) -> String {
        if name.hasSuffix(".gz") { return "application/gzip" }
        if name.hasSuffix(".json") { return "application/json" }
        if name.hasSuffix(".csv") { return "text/csv; charset=utf-8" }
        if name.hasSuffix(".html") { return "text/html; charset=utf-8" }
        return "application/octet-stream"
    }
}
