import Foundation

/// An object as a listing or a HEAD describes it.
package struct ObjectInfo: Sendable, Equatable {
    package let key: String
    package let bytes: Int64
    package let etag: String
    /// `x-amz-checksum-sha256` when the store keeps and returns it (HEAD with checksum mode); nil otherwise.
    package let checksum: ObjectChecksum?
}

extension S3Client {
    /// PutObject of a whole body with its SHA-256 (sent as `x-amz-checksum-sha256`, named by
    /// `x-amz-sdk-checksum-algorithm` as the SDKs do, and as the signed payload hash);
    /// with `createOnly`, `If-None-Match: *`, so an existing object is never replaced (the store answers 412).
    /// Returns the ETag.
    package func putObject(
        key: String, body: Body, sha256Hex: String, contentType: String, createOnly: Bool = true
    ) throws(ObjectStoreError) -> String {
        guard let checksum = ObjectChecksum(hex: sha256Hex) else { throw .configuration("putObject \(key): '\(sha256Hex)' is not a SHA-256") }
        var headers: [(name: String, value: String)] = [
            ("x-amz-checksum-sha256", checksum.value), ("x-amz-sdk-checksum-algorithm", "SHA256"), ("content-type", contentType),
        ]
        if createOnly { headers.append(("if-none-match", "*")) }
        let response = try send("PutObject", method: "PUT", key: key, headers: headers, body: body, payloadSHA256: sha256Hex)
        try require(response, [200], operation: "PutObject", key: key)
        return response.headers["etag"] ?? ""
    }

    /// HeadObject with checksum mode: nil when there is no such object.
    package func headObject(key: String) throws(ObjectStoreError) -> ObjectInfo? {
        let response = try send("HeadObject", method: "HEAD", key: key, headers: [("x-amz-checksum-mode", "ENABLED")])
        if response.status == 404 { return nil }
        try require(response, [200], operation: "HeadObject", key: key)
        guard let length = response.headers["content-length"].flatMap({ Int64($0) }) else {
            throw .malformedResponse(operation: "HeadObject", key: key, detail: "no Content-Length")
        }
        return ObjectInfo(key: key, bytes: length, etag: response.headers["etag"] ?? "", checksum: response.headers["x-amz-checksum-sha256"].map(ObjectChecksum.init(value:)))
    }

    /// GetObject into a file at `path` (replaced if present).
    package func getObject(key: String, to path: String) throws(ObjectStoreError) {
        let response = try send("GetObject", method: "GET", key: key, download: path)
        try require(response, [200], operation: "GetObject", key: key)
    }

    /// GetObject of a small object (a manifest, a record) into memory.
    package func getObjectData(key: String) throws(ObjectStoreError) -> Data {
        let response = try send("GetObject", method: "GET", key: key)
        try require(response, [200], operation: "GetObject", key: key)
        return response.body
    }

    /// DeleteObject (absent is fine: S3 answers 204 either way).
    package func deleteObject(key: String) throws(ObjectStoreError) {
        let response = try send("DeleteObject", method: "DELETE", key: key)
        try require(response, [200, 204], operation: "DeleteObject", key: key)
    }

    /// ListObjectsV2 of every key under `prefix`, following continuation tokens.
    package func listObjects(prefix: String) throws(ObjectStoreError) -> [ObjectInfo] {
        var objects: [ObjectInfo] = []
        var token: String?
        repeat {
            var query: [(name: String, value: String)] = [("list-type", "2"), ("prefix", prefix)]
            if let token { query.append(("continuation-token", token)) }
            let response = try send("ListObjectsV2", method: "GET", key: nil, query: query)
            try require(response, [200], operation: "ListObjectsV2", key: prefix)
            guard let xml = S3XML.parse(response.body) else { throw .malformedResponse(operation: "ListObjectsV2", key: prefix, detail: "not XML") }
            for entry in xml.children("Contents") {
                guard let key = entry["Key"], let size = entry["Size"].flatMap({ Int64($0) }) else {
                    throw .malformedResponse(operation: "ListObjectsV2", key: prefix, detail: "an entry without Key or Size")
                }
                objects.append(ObjectInfo(key: key, bytes: size, etag: entry["ETag"] ?? "", checksum: nil))
            }
            token = xml["IsTruncated"] == "true" ? xml["NextContinuationToken"] : nil
        } while token != nil
        return objects
    }
}
