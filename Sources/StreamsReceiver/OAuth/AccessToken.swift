import Crypto
import Foundation
import StreamsArchive

/// An access token: a JSON Web Token signed with HMAC-SHA256 (RFC 7519, `HS256`) under the receivers' shared
/// key, naming its client and when it expires. Any JWT library (PyJWT, jwt.io) decodes it with the key.
///
/// A token is accepted only with exactly the header this type writes (so no other algorithm, and never
/// `none`, is considered), a signature that matches (compared in constant time by swift-crypto), an expiry
/// still ahead, and a client still configured. Nothing is stored: a restart, or another receiver with the
/// same key, accepts it.
struct AccessToken: Sendable, Equatable {
    let client: String
    let issued: UTCInstant
    let expires: UTCInstant

    /// Why a token was refused (logged, never sent: the client is told only `invalid_token`).
    enum Refusal: Error, Equatable {
        case malformed, forged, expired, unknownClient
    }

    /// `{"alg":"HS256","typ":"JWT"}`, base64url.
    private static let header = base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// The compact form: header.payload.signature.
    func encoded(key: [UInt8]) -> String {
        var payload = JSONBuilder()
        payload.beginObject()
        payload.string("iss", "streams-archive")
        payload.string("sub", client)
        payload.number("iat", Int(issued.secondsSinceEpoch))
        payload.number("exp", Int(expires.secondsSinceEpoch))
        payload.endObject()
        let signed = Self.header + "." + Self.base64URL(payload.bytes)
        return signed + "." + Self.base64URL(Array(HMAC<SHA256>.authenticationCode(for: Array(signed.utf8), using: SymmetricKey(data: key))))
    }

    /// The token `text` stands for, if it is one of ours, unexpired at `now`, for a client in `clients`.
    static func verify(_ text: Substring, key: [UInt8], clients: [String: [UInt8]], now: UTCInstant) throws(Refusal) -> AccessToken {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == header, let payload = decodeBase64URL(parts[1]), let signature = decodeBase64URL(parts[2]) else {
            throw .malformed
        }
        let signed = Array(text[..<parts[1].endIndex].utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: SymmetricKey(data: key)) else { throw .forged }
        guard let claims = try? JSONScanner().document(payload), claims.kind(claims.root) == .object,
            let client = claims.member(of: claims.root, named: "sub").flatMap(claims.string),
            let issued = claims.member(of: claims.root, named: "iat").flatMap(claims.integer),
            let expires = claims.member(of: claims.root, named: "exp").flatMap(claims.integer)
        else { throw .malformed }
        // Ours never last more than a day; anything outside that (an overflowing exp among it) is not ours.
        guard issued >= 0, issued <= expires, expires <= now.secondsSinceEpoch + 2 * 86_400 else { throw .malformed }
        guard expires > now.secondsSinceEpoch else { throw .expired }
        guard clients[client] != nil else { throw .unknownClient }
        return AccessToken(client: client, issued: UTCInstant(secondsSinceEpoch: issued), expires: UTCInstant(secondsSinceEpoch: expires))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: Substring) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: standard).map(Array.init)
    }
}
