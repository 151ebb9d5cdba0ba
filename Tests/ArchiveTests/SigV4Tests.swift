import Crypto
import Foundation
import ObjectStorage
import Testing

/// SigV4 signing against AWS's published vectors: the SigV4 test suite (Tests/Fixtures/aws-sig-v4-test-suite,
/// Apache-2.0, as botocore 1.44.8 carries it), the S3 API reference's four worked examples, and path-style
/// requests for the exact S3 calls ship makes as botocore's S3 signer signs them.
@Suite("SigV4 signing")
struct SigV4Tests {
    static let suite = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/aws-sig-v4-test-suite").path
    static let suiteCases = (try? FileManager.default.contentsOfDirectory(atPath: suite).filter { !$0.hasPrefix("LICENSE") && !$0.hasPrefix("NOTICE") }.sorted()) ?? []

    @Test("the AWS SigV4 test suite: canonical request, string to sign and Authorization byte for byte", arguments: suiteCases)
    func testSuiteCase(_ name: String) throws {
        let directory = "\(Self.suite)/\(name)/\(name)"
        var request = try Self.parse(String(contentsOfFile: directory + ".req", encoding: .utf8))
        if name == "get-vanilla-with-session-token" {
            // The suite's .req leaves the token out; its .creq signs it (README of the suite).
            request.headers.append(("X-Amz-Security-Token", "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"))
        }
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), region: "us-east-1",
            service: "service"
        )
        let time = try #require(SigningTime(amzDate: "20150830T123600Z"))
        #expect(request.canonicalRequest == (try String(contentsOfFile: directory + ".creq", encoding: .utf8)))
        #expect(signer.stringToSign(request, at: time) == (try String(contentsOfFile: directory + ".sts", encoding: .utf8)))
        #expect(signer.authorization(request, at: time) == (try String(contentsOfFile: directory + ".authz", encoding: .utf8)))
    }

    @Test("the suite is all there: 27 cases that hold for S3 (the six path-normalisation cases do not)")
    func suiteIsComplete() {
        #expect(Self.suiteCases.count == 27)
        #expect(Self.suiteCases.contains("get-vanilla") && Self.suiteCases.contains("post-x-www-form-urlencoded"))
    }

    @Test("S3 paths are signed as sent, never normalised: an object named a//b/../c keeps its slashes and dots")
    func s3PathsAreNotNormalised() {
        let request = SignableRequest(
            method: "GET", encodedPath: "/bucket/" + URIEncoding.encode("a//b/../c", keepSlash: true), headers: [("host", "h")],
            payloadHash: SigV4Signer.emptyPayloadSHA256
        )
        #expect(request.canonicalRequest.split(separator: "\n")[1] == "/bucket/a//b/../c")
    }

    /// The S3 API reference's worked examples ("Signature Calculations for the Authorization Header: Transferring
    /// Payload in a Single Chunk"), with their published signatures.
    @Test(
        "the S3 API reference's examples",
        arguments: [
            ("GET", "/test.txt", [(String, String)](), [("Range", "bytes=0-9")], SigV4Signer.emptyPayloadSHA256,
             "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
            ("PUT", "/" + URIEncoding.encode("test$file.text", keepSlash: true), [], [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
             "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
            ("GET", "/", [("lifecycle", "")], [], SigV4Signer.emptyPayloadSHA256, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
            ("GET", "/", [("max-keys", "2"), ("prefix", "J")], [], SigV4Signer.emptyPayloadSHA256,
             "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
        ]
    )
    func s3Example(_ method: String, _ path: String, _ query: [(String, String)], _ extra: [(String, String)], _ payload: String, _ signature: String) throws {
        let headers = [("host", "examplebucket.s3.amazonaws.com"), ("x-amz-content-sha256", payload), ("x-amz-date", "20130524T000000Z")] + extra
        let request = SignableRequest(method: method, encodedPath: path, query: query.map { ($0.0, $0.1) }, headers: headers.map { ($0.0, $0.1) }, payloadHash: payload)
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), region: "us-east-1",
            service: "s3"
        )
        let authorization = signer.authorization(request, at: try #require(SigningTime(amzDate: "20130524T000000Z")))
        #expect(authorization.hasSuffix("Signature=\(signature)"), Comment(rawValue: request.canonicalRequest))
    }

    /// Path-style requests for every call ship makes (a key with a space, `+` and `ü`; a continuation token with
    /// `/`, `+` and `=`; multipart; a session token), signed by botocore's S3SigV4Auth (Tests/Fixtures, generated,
    /// not published by AWS).
    @Test("ship's own S3 calls, signed as botocore signs them")
    func botocorePathStyle() throws {
        let url = Self.suite.replacingOccurrences(of: "aws-sig-v4-test-suite", with: "sigv4-s3-path-style-botocore.json")
        let fixture = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: url))) as? [String: Any])
        let vectors = try #require(fixture["vectors"] as? [[String: Any]])
        #expect(vectors.count == 12)
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: fixture["access_key"] as! String, secretAccessKey: fixture["secret_key"] as! String),
            region: fixture["region"] as! String, service: "s3"
        )
        let time = try #require(SigningTime(amzDate: fixture["x_amz_date"] as! String))
        for vector in vectors {
            let bucket = vector["bucket"] as! String
            let key = vector["key"] as? String
            let path = "/\(bucket)" + (key.map { "/" + URIEncoding.encode($0, keepSlash: true) } ?? "")
            let query = (vector["query_params"] as! [[String]]).map { (name: $0[0], value: $0[1]) }
            let headers = (vector["headers"] as! [String: String]).map { (name: $0.key, value: $0.value) }
            let request = SignableRequest(
                method: vector["method"] as! String, encodedPath: path, query: query, headers: headers,
                payloadHash: (vector["headers"] as! [String: String])["x-amz-content-sha256"]!
            )
            #expect(path == vector["wire_path"] as! String, "\(vector["name"]!)")
            #expect(request.canonicalRequest == vector["canonical_request"] as! String, "\(vector["name"]!)")
            #expect(signer.authorization(request, at: time) == vector["authorization"] as! String, "\(vector["name"]!)")
        }
    }

    /// A suite `.req`: request line, `Name:value` headers (obs-fold continuations joined by a space), blank line, body.
    static func parse(_ text: String) throws -> SignableRequest {
        let (head, body): (Substring, Substring) = {
            guard let range = text.range(of: "\n\n") else { return (text[...], "") }
            return (text[..<range.lowerBound], text[range.upperBound...])
        }()
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false)
        let requestLine = lines.removeFirst()
        let method = requestLine.prefix { $0 != " " }
        let target = requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count)
        let rawPath = target.prefix { $0 != "?" }
        let rawQuery = target.dropFirst(rawPath.count + 1)
        let path = URIEncoding.encode(URIEncoding.decode(rawPath), keepSlash: true)
        let query: [(name: String, value: String)] = rawQuery.isEmpty ? [] : rawQuery.split(separator: "&").map { pair in
            let name = pair.prefix { $0 != "=" }
            return (name: URIEncoding.decode(name), value: URIEncoding.decode(pair.dropFirst(name.count + 1)))
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        let payload = SigV4Signer.hex(SHA256.hash(data: Data(body.utf8)))
        return SignableRequest(method: String(method), encodedPath: path, query: query, headers: headers, payloadHash: payload)
    }
}
