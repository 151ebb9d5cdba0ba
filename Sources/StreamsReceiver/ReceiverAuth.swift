import Foundation
import HTTPTypes
import StreamsArchive

/// The credentials MoEngage can send: HTTP Basic, one static header, and OAuth2 client credentials (a bearer
/// token from `POST /oauth/token`, `OAuthSettings`), read from the environment so that secrets never appear on a
/// command line or in a log. A request passes if it matches any configured form.
public struct ReceiverAuth: Sendable {
    /// The base64 token expected after `Basic `.
    let basicToken: [UInt8]?
    let header: (name: HTTPField.Name, value: [UInt8])?
    let oauth: OAuthSettings?

    public static let basicVariable = "STREAMS_BASIC_AUTH"
    public static let headerVariable = "STREAMS_AUTH_HEADER"

    /// No authentication (only with `--no-auth`, or on loopback).
    public static let none = ReceiverAuth(basicToken: nil, header: nil, oauth: nil)

    /// Reads `STREAMS_BASIC_AUTH=user:password`, `STREAMS_AUTH_HEADER='Header-Name: value'` and the OAuth2
    /// settings (`OAuthSettings`).
    /// Errors name the variable, never its value.
    public init(environment: [String: String]) throws(ConfigurationError) {
        var basic: [UInt8]?
        if let credentials = environment[Self.basicVariable] {
            guard let colon = credentials.firstIndex(of: ":"), colon != credentials.startIndex else {
                throw ConfigurationError("\(Self.basicVariable) must be user:password")
            }
            basic = Array(Data(credentials.utf8).base64EncodedString().utf8)
        }
        var header: (HTTPField.Name, [UInt8])?
        if let line = environment[Self.headerVariable] {
            guard let colon = line.firstIndex(of: ":"),
                let name = HTTPField.Name(String(line[..<colon]).trimmingCharacters(in: .whitespaces))
            else { throw ConfigurationError("\(Self.headerVariable) must be 'Header-Name: value' with a valid header name") }
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { throw ConfigurationError("\(Self.headerVariable) has an empty value") }
            header = (name, Array(value.utf8))
        }
        self.init(basicToken: basic, header: header, oauth: try OAuthSettings(environment: environment))
    }

    init(basicToken: [UInt8]?, header: (name: HTTPField.Name, value: [UInt8])?, oauth: OAuthSettings?) {
        self.basicToken = basicToken
        self.header = header
        self.oauth = oauth
    }

    public var isEnabled: Bool { basicToken != nil || header != nil || oauth != nil }

    /// The headers a client (`replay`) sends to pass these checks.
    public var clientHeaders: [(String, String)] {
        var headers: [(String, String)] = []
        if let basicToken { headers.append(("Authorization", "Basic " + String(decoding: basicToken, as: UTF8.self))) }
        if let header { headers.append((header.name.rawName, String(decoding: header.value, as: UTF8.self))) }
        return headers
    }
    var usesBasic: Bool { basicToken != nil }

    /// Whether the request carries a configured credential; when it does not, the bearer token it carried,
    /// if any, and why that was refused. Comparisons take the same time whatever matches.
    func check(_ fields: HTTPFields, now: UTCInstant) -> (granted: Bool, refusedToken: AccessToken.Refusal?) {
        guard isEnabled else { return (true, nil) }
        var granted = false
        var refusedToken: AccessToken.Refusal?
        if let oauth {
            for value in fields[values: .authorization] {
                let parts = value.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "bearer" else { continue }
                do throws(AccessToken.Refusal) {
                    _ = try AccessToken.verify(parts[1], key: oauth.key, clients: oauth.clients, now: now)
                    granted = true
                } catch {
                    refusedToken = error
                }
            }
        }
        if let basicToken {
            for value in fields[values: .authorization] {
                let parts = value.split(separator: " ", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == "basic" {
                    granted = Self.constantTimeEquals(Array(parts[1].trimmingCharacters(in: .whitespaces).utf8), basicToken) || granted
                }
            }
        }
        if let header {
            for value in fields[values: header.name] {
                granted = Self.constantTimeEquals(Array(value.utf8), header.value) || granted
            }
        }
        return (granted, granted ? nil : refusedToken)
    }

    /// The `WWW-Authenticate` challenges of a 401 for a request that `check` refused.
    func challenges(refusedToken: AccessToken.Refusal?) -> HTTPFields {
        var fields = HTTPFields()
        if usesBasic { fields.append(HTTPField(name: .wwwAuthenticate, value: #"Basic realm="streams-archive""#)) }
        if oauth != nil {
            let error = refusedToken == nil ? "" : #", error="invalid_token", error_description="the token is expired, forged or not ours; get a new one""#
            fields.append(HTTPField(name: .wwwAuthenticate, value: #"Bearer realm="streams-archive""# + error))
        }
        return fields
    }

    /// Compares every byte of the expected value whatever the input, so timing does not reveal a prefix.
    static func constantTimeEquals(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        // Lengths compared in full: a truncated XOR would call lengths 256 apart equal.
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for index in expected.indices {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}

/// A receiver setting that cannot work; the message says which and how to fix it.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
