import Crypto
import Foundation

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`), checked against AWS's published test suite.
///
/// The caller puts every header it wants signed on the request first (`host`, `x-amz-date`,
/// `x-amz-content-sha256`, `x-amz-security-token` for temporary credentials); `authorization` returns the
/// `Authorization` header's value. HMAC and SHA-256 come from swift-crypto. The secret never leaves this type.
package struct SigV4Signer: Sendable {
    package let credentials: AWSCredentials
    package let region: String
    package let service: String

    package init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    package func scope(_ time: SigningTime) -> String { "\(time.dateStamp)/\(region)/\(service)/aws4_request" }

    /// SigV4 step 2: the string to sign.
    package func stringToSign(_ request: SignableRequest, at time: SigningTime) -> String {
        let hashed = Self.hex(SHA256.hash(data: Data(request.canonicalRequest.utf8)))
        return "AWS4-HMAC-SHA256\n\(time.amzDate)\n\(scope(time))\n\(hashed)"
    }

    /// SigV4 steps 3 and 4: the signature, and the `Authorization` header carrying it.
    package func authorization(_ request: SignableRequest, at time: SigningTime) -> String {
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [time.dateStamp, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign(request, at: time).utf8), using: key))
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(time)), SignedHeaders=\(request.signedHeaders), Signature=\(signature)"
    }

    package static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
