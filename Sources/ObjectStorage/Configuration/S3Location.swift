/// `s3://BUCKET/PREFIX`: where an archive ships to. The prefix has no leading or trailing `/`; an object's key is
/// the prefix, `/`, and the path relative to the archive's root, so the bucket mirrors the local layout.
package struct S3Location: Sendable, Equatable, CustomStringConvertible {
    package let bucket: String
    package let prefix: String

    /// Parses and checks `s3://BUCKET[/PREFIX]`, saying what is wrong.
    package init(parsing text: String) throws(ObjectStoreError) {
        guard text.hasPrefix("s3://") else {
            throw .configuration("'\(text)' is not an s3:// URL: give s3://BUCKET/PREFIX")
        }
        let rest = text.dropFirst(5)
        let bucket = String(rest.prefix { $0 != "/" })
        let prefix = rest.dropFirst(bucket.count).split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        guard Self.isValidBucket(bucket) else {
            throw .configuration("'\(bucket)' is not a valid bucket name (3 to 63 lower-case letters, digits, dots and hyphens)")
        }
        guard !prefix.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else {
            throw .configuration("the prefix '\(prefix)' may not contain '.' or '..' segments")
        }
        self.bucket = bucket
        self.prefix = prefix
    }

    /// The key of an object at `relativePath` under the archive's root.
    package func key(_ relativePath: String) -> String { prefix.isEmpty ? relativePath : "\(prefix)/\(relativePath)" }

    /// The path under the archive's root of `key` (which must lie under the prefix); nil otherwise.
    package func relativePath(ofKey key: String) -> String? {
        if prefix.isEmpty { return key }
        guard key.hasPrefix(prefix + "/") else { return nil }
        return String(key.dropFirst(prefix.count + 1))
    }

    package var description: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }

    static func isValidBucket(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        let allowed = bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
        let edges = [bytes.first!, bytes.last!].allSatisfy { $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "-") }
        return allowed && edges
    }
}
