/// A request as Signature Version 4 sees it: method, the path exactly as it goes on the wire (already
/// encoded), the query as decoded name/value pairs, the headers to sign, and the payload's SHA-256 (hex) or
/// `UNSIGNED-PAYLOAD`.
package struct SignableRequest: Sendable {
    package var method: String
    /// The URI path as sent, percent-encoded (`/bucket/events/date%3D2026-03-14/...`).
    package var encodedPath: String
    /// Query parameters, not encoded; a parameter with no value has "".
    package var query: [(name: String, value: String)]
    /// Headers to sign, names in any case.
    package var headers: [(name: String, value: String)]
    package var payloadHash: String

    package init(method: String, encodedPath: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)], payloadHash: String) {
        self.method = method
        self.encodedPath = encodedPath
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }

    /// The canonical query string: names and values encoded, sorted by name then value, joined by `&`.
    package var canonicalQuery: String {
        query.map { (URIEncoding.encode($0.name), URIEncoding.encode($0.value)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Header names lower-cased and sorted, values trimmed with inner runs of spaces collapsed, repeated
    /// headers joined by `,` in the order given.
    package var canonicalHeaders: [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers { merged[name.lowercased(), default: []].append(Self.normalise(value)) }
        return merged.keys.sorted().map { ($0, merged[$0]!.joined(separator: ",")) }
    }

    package var signedHeaders: String { canonicalHeaders.map(\.name).joined(separator: ";") }

    /// The canonical request of SigV4 step 1 (S3's form: the path is used as sent, never normalised or encoded twice).
    package var canonicalRequest: String {
        let headerLines = canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined()
        return [method, encodedPath, canonicalQuery, headerLines, signedHeaders, payloadHash].joined(separator: "\n")
    }

    private static func normalise(_ value: String) -> String {
        var out = ""
        var pendingSpace = false
        for character in value.trimmingSpaces() {
            if character == " " {
                pendingSpace = true
                continue
            }
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.append(character)
        }
        return out
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
