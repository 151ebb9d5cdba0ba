import Crypto
import Foundation

/// One uploaded part of a multipart upload.
package struct UploadedPart: Sendable, Equatable {
    package let number: Int
    package let etag: String
    package let checksum: ObjectChecksum
}

/// A multipart upload the store still holds open.
package struct OpenUpload: Sendable, Equatable {
    package let key: String
    package let uploadID: String
}

extension S3Client {
    /// CreateMultipartUpload with SHA-256 part checksums; returns the upload id.
    package func createMultipartUpload(key: String, contentType: String) throws(ObjectStoreError) -> String {
        let response = try send(
            "CreateMultipartUpload", method: "POST", key: key, query: [("uploads", "")],
            headers: [("x-amz-checksum-algorithm", "SHA256"), ("content-type", contentType)]
        )
        try require(response, [200], operation: "CreateMultipartUpload", key: key)
        guard let id = S3XML.parse(response.body)?["UploadId"], !id.isEmpty else {
            throw .malformedResponse(operation: "CreateMultipartUpload", key: key, detail: "no UploadId")
        }
        return id
    }

    /// UploadPart of `data` with its SHA-256.
    package func uploadPart(key: String, uploadID: String, number: Int, data: Data) throws(ObjectStoreError) -> UploadedPart {
        let digest = SHA256.hash(data: data)
        let checksum = ObjectChecksum(digest: digest)
        let response = try send(
            "UploadPart", method: "PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)],
            headers: [("x-amz-checksum-sha256", checksum.value), ("x-amz-sdk-checksum-algorithm", "SHA256")], body: .data(data), payloadSHA256: SigV4Signer.hex(digest)
        )
        try require(response, [200], operation: "UploadPart \(number) of", key: key)
        guard let etag = response.headers["etag"] else { throw .malformedResponse(operation: "UploadPart", key: key, detail: "no ETag") }
        return UploadedPart(number: number, etag: etag, checksum: checksum)
    }

    /// CompleteMultipartUpload with each part's checksum; with `createOnly`, `If-None-Match: *`. S3 may answer 200
    /// with an error document, which is thrown as the error it is.
    package func completeMultipartUpload(key: String, uploadID: String, parts: [UploadedPart], createOnly: Bool = true) throws(ObjectStoreError) {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(S3XML.escape(part.etag))</ETag>"
            xml += "<ChecksumSHA256>\(part.checksum.value)</ChecksumSHA256></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let body = Data(xml.utf8)
        var headers: [(name: String, value: String)] = [("content-type", "application/xml")]
        if createOnly { headers.append(("if-none-match", "*")) }
        let response = try send(
            "CompleteMultipartUpload", method: "POST", key: key, query: [("uploadId", uploadID)], headers: headers, body: .data(body),
            payloadSHA256: SigV4Signer.hex(SHA256.hash(data: body))
        )
        try require(response, [200], operation: "CompleteMultipartUpload", key: key)
        // A 200 may carry an error document; only a CompleteMultipartUploadResult means the object exists.
        guard let document = S3XML.parse(response.body), document.name == "CompleteMultipartUploadResult" else {
            let document = S3XML.parse(response.body)
            throw .refused(
                operation: "CompleteMultipartUpload", key: key, status: 200, code: document?["Code"] ?? "UnreadableResult",
                message: document?["Message"] ?? "the store's answer was not a CompleteMultipartUploadResult"
            )
        }
    }

    /// AbortMultipartUpload (an upload already gone is fine).
    package func abortMultipartUpload(key: String, uploadID: String) throws(ObjectStoreError) {
        let response = try send("AbortMultipartUpload", method: "DELETE", key: key, query: [("uploadId", uploadID)])
        try require(response, [200, 204, 404], operation: "AbortMultipartUpload", key: key)
    }

    /// ListMultipartUploads under `prefix`, following markers.
    package func listMultipartUploads(prefix: String) throws(ObjectStoreError) -> [OpenUpload] {
        var uploads: [OpenUpload] = []
        var markers: (key: String, upload: String)?
        repeat {
            var query: [(name: String, value: String)] = [("uploads", ""), ("prefix", prefix)]
            if let markers { query += [("key-marker", markers.key), ("upload-id-marker", markers.upload)] }
            let response = try send("ListMultipartUploads", method: "GET", key: nil, query: query)
            try require(response, [200], operation: "ListMultipartUploads", key: prefix)
            guard let xml = S3XML.parse(response.body) else { throw .malformedResponse(operation: "ListMultipartUploads", key: prefix, detail: "not XML") }
            for upload in xml.children("Upload") {
                if let key = upload["Key"], let id = upload["UploadId"] { uploads.append(OpenUpload(key: key, uploadID: id)) }
            }
            if xml["IsTruncated"] == "true", let key = xml["NextKeyMarker"], let id = xml["NextUploadIdMarker"] {
                markers = (key, id)
            } else {
                markers = nil
            }
        } while markers != nil
        return uploads
    }
}
