import Foundation
import Testing

/// OAuth2 client credentials (RFC 6749 §4.4) on a real receiver, with curl playing the sender and PyJWT
/// (from PyPI) decoding and forging tokens with the shared key: the receiver's own client is not the judge.
@Suite("OAuth2 client credentials")
struct OAuthTests {
    static let key = "k3y-0123456789abcdef0123456789abcdef"
    static let secret = "s3cret-0123456789abcdef"
    static let environment = ["STREAMS_OAUTH_CLIENTS": "moengage:\(secret),backup:other-secret-0123456789", "STREAMS_OAUTH_KEY": key]

    /// curl's answer to `arguments` against the receiver: the HTTP status, then the body.
    static func curl(_ server: ServerProcess, _ path: String, _ arguments: [String]) throws -> (status: Int, headers: String, body: NSDictionary) {
        let run = try ProcessRunner.run("curl", ["-s", "-D", "-", "http://127.0.0.1:\(server.port)\(path)"] + arguments)
        let parts = run.text.components(separatedBy: "\r\n\r\n")
        let status = Int(parts[0].split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = (try? JSONSerialization.jsonObject(with: Data(parts.dropFirst().joined().utf8))) as? NSDictionary ?? [:]
        return (status, parts[0].lowercased(), body)
    }

    /// A token for `client` from the token endpoint, with HTTP Basic.
    static func token(_ server: ServerProcess, client: String = "moengage", secret: String = Self.secret) throws -> String {
        let answer = try curl(server, "/oauth/token", ["-u", "\(client):\(secret)", "-d", "grant_type=client_credentials"])
        try #require(answer.status == 200, "\(answer.body)")
        return try #require(answer.body["access_token"] as? String)
    }

    /// POSTs one event with `Authorization: Bearer token` through curl; the status.
    static func post(_ server: ServerProcess, bearer token: String, uuid: String = UUID().uuidString) throws -> (status: Int, headers: String) {
        let body = String(decoding: Bodies.body([Bodies.event(uuid: uuid)]), as: UTF8.self)
        let answer = try curl(server, "/streams", ["-H", "Content-Type: application/json", "-H", "Authorization: Bearer \(token)", "--data-binary", body])
        return (answer.status, answer.headers)
    }

    /// PyJWT: `python3 -c script key token-or-claims`.
    static func python(_ script: String, _ arguments: [String]) throws -> String {
        let run = try ProcessRunner.run("python3", ["-c", "import jwt, sys, json, time\n" + script] + arguments)
        try #require(run.status == 0, Comment(rawValue: run.stderr))
        return run.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// An HS256 token for client moengage as PyJWT signs it.
    static func signed(issued: Int, expires: Int, key: String = Self.key) throws -> String {
        try python(
            "print(jwt.encode({'iss':'streams-archive','sub':'moengage','iat':int(sys.argv[2]),'exp':int(sys.argv[3])}, sys.argv[1], algorithm='HS256'))",
            [key, "\(issued)", "\(expires)"]
        )
    }

    @Test("a token from POST /oauth/token (HTTP Basic, or the form's client_id and client_secret) is a Bearer JWT that PyJWT verifies with the key, and POST /streams accepts it")
    func tokenFlow() throws {
        let server = try ServerProcess(root: TestDirectory().file("archive"), environment: Self.environment)
        let answer = try Self.curl(server, "/oauth/token", ["-u", "moengage:\(Self.secret)", "-d", "grant_type=client_credentials"])
        #expect(answer.status == 200)
        #expect(answer.body["token_type"] as? String == "Bearer" && answer.body["expires_in"] as? Int == 3600)
        #expect(answer.headers.contains("cache-control: no-store"))
        let token = try #require(answer.body["access_token"] as? String)
        let claims = try Self.python("print(json.dumps(jwt.decode(sys.argv[2], sys.argv[1], algorithms=['HS256'])))", [Self.key, token])
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(claims.utf8)) as? [String: Any])
        #expect(decoded["sub"] as? String == "moengage")
        let (issued, expires) = (try #require(decoded["iat"] as? Int), try #require(decoded["exp"] as? Int))
        #expect(expires - issued == 3600 && abs(issued - Int(Date().timeIntervalSince1970)) < 60)
        #expect(try Self.post(server, bearer: token).status == 200)
        let form = try Self.curl(server, "/oauth/token", ["-d", "grant_type=client_credentials&client_id=backup&client_secret=other-secret-0123456789"])
        #expect(form.status == 200)
        #expect(try Self.post(server, bearer: try #require(form.body["access_token"] as? String)).status == 200)
        let both = try Self.curl(server, "/oauth/token", ["-u", "moengage:\(Self.secret)", "-d", "grant_type=client_credentials&client_id=moengage"])
        #expect(both.status == 200, "Basic with the same client_id in the body, as some clients send it: \(both.body)")
        #expect(server.stop() == 0)
        #expect(!server.log.contains(Self.secret) && !server.log.contains(Self.key) && !server.log.contains(token))
    }

    @Test(
        "each refusal of the token endpoint has RFC 6749's status and error code",
        arguments: [
            (["-u", "moengage:wrong-secret-0123456789", "-d", "grant_type=client_credentials"], 401, "invalid_client"),
            (["-u", "moengage:\(secret)" + String(repeating: "A", count: 256), "-d", "grant_type=client_credentials"], 401, "invalid_client"),
            (["-u", "moengage:\(secret)", "-d", "grant_type=client_credentials&a%0Aforged=1&a%0Aforged=1"], 400, "invalid_request"),
            (["-u", "nobody:\(secret)", "-d", "grant_type=client_credentials"], 401, "invalid_client"),
            (["-d", "grant_type=client_credentials"], 401, "invalid_client"),
            (["-u", "moengage:\(secret)", "-d", "grant_type=password&username=a&password=b"], 400, "unsupported_grant_type"),
            (["-u", "moengage:\(secret)", "-d", "scope=x"], 400, "invalid_request"),
            (["-u", "moengage:\(secret)", "-d", "grant_type=client_credentials&grant_type=client_credentials"], 400, "invalid_request"),
            (["-u", "moengage:\(secret)", "-d", "grant_type=client_credentials&client_id=moengage&client_secret=\(secret)"], 400, "invalid_request"),
            (["-u", "moengage:\(secret)", "-H", "Content-Type: application/json", "-d", #"{"grant_type":"client_credentials"}"#], 400, "invalid_request"),
        ]
    )
    func tokenRefusals(arguments: [String], status: Int, error: String) throws {
        let server = try ServerProcess(root: TestDirectory().file("archive"), environment: Self.environment)
        let answer = try Self.curl(server, "/oauth/token", arguments)
        #expect(answer.status == status)
        #expect(answer.body["error"] as? String == error && answer.body["error_description"] is String, "\(answer.body)")
        #expect(!(answer.body["error_description"] as? String ?? "").contains("forged"), "an unknown parameter's name is not echoed")
        #expect(status != 401 || answer.headers.contains(#"www-authenticate: basic realm="streams-archive""#))
        #expect(server.stop() == 0)
    }

    @Test(
        "an expired token, one signed with another key, one with alg none, a truncated one and one whose exp overflows get 401 with WWW-Authenticate: Bearer error=\"invalid_token\"",
        arguments: ["expired", "other key", "alg none", "truncated", "exp at the end of time"]
    )
    func badTokens(kind: String) throws {
        let server = try ServerProcess(root: TestDirectory().file("archive"), environment: Self.environment)
        let now = Int(Date().timeIntervalSince1970)
        let token: String
        switch kind {
        case "expired": token = try Self.signed(issued: now - 7200, expires: now - 3600)
        case "other key": token = try Self.signed(issued: now, expires: now + 3600, key: "another-key-0123456789abcdef0123456789")
        case "exp at the end of time": token = try Self.signed(issued: now, expires: Int(Int64.max))
        case "alg none":
            token = try Self.python(
                "print(jwt.encode({'sub':'moengage','iat':int(sys.argv[2]),'exp':int(sys.argv[2])+3600}, None, algorithm='none'))", [Self.key, "\(now)"]
            )
        default:
            token = String(try Self.token(server).dropLast(3))
        }
        let refused = try Self.post(server, bearer: token)
        #expect(refused.status == 401)
        #expect(refused.headers.contains(#"www-authenticate: bearer realm="streams-archive", error="invalid_token""#), "\(refused.headers)")
        #expect(try Self.post(server, bearer: try Self.token(server)).status == 200)
        #expect(server.stop() == 0)
    }

    @Test("a token issued before a restart is accepted after it, and by a second receiver with the same key; one with another key refuses it")
    func tokensOutliveTheReceiver() throws {
        let directory = TestDirectory()
        var server = try ServerProcess(root: directory.file("archive"), environment: Self.environment)
        let token = try Self.token(server)
        #expect(server.stop() == 0)
        server = try ServerProcess(root: directory.file("archive"), environment: Self.environment)
        #expect(try Self.post(server, bearer: token).status == 200)
        let second = try ServerProcess(root: directory.file("second"), environment: Self.environment)
        #expect(try Self.post(second, bearer: token).status == 200)
        var otherKey = Self.environment
        otherKey["STREAMS_OAUTH_KEY"] = "another-key-0123456789abcdef0123456789"
        let third = try ServerProcess(root: directory.file("third"), environment: otherKey)
        #expect(try Self.post(third, bearer: token).status == 401)
        #expect(try Self.post(second, bearer: try Self.token(third)).status == 401)
        for process in [server, second, third] { #expect(process.stop() == 0) }
    }

    @Test("the token endpoint is rate-limited per client: past a burst of 10 a client gets 429 with Retry-After, another client is not held back")
    func tokenRate() throws {
        let server = try ServerProcess(root: TestDirectory().file("archive"), environment: Self.environment)
        for _ in 0..<10 { _ = try Self.token(server) }
        let limited = try Self.curl(server, "/oauth/token", ["-u", "moengage:\(Self.secret)", "-d", "grant_type=client_credentials"])
        #expect(limited.status == 429 && limited.body["error"] as? String == "temporarily_unavailable")
        #expect(limited.headers.contains("retry-after: "))
        _ = try Self.token(server, client: "backup", secret: "other-secret-0123456789")
        #expect(server.stop() == 0)
    }

    @Test("with OAuth2 configured, Basic and the static header still pass on their own, and a request with none gets both challenges")
    func otherCredentialsStillPass() throws {
        var environment = Self.environment
        environment["STREAMS_BASIC_AUTH"] = "moe:basic-pass-123"
        environment["STREAMS_AUTH_HEADER"] = "X-Streams-Key: k3y-value"
        let server = try ServerProcess(root: TestDirectory().file("archive"), environment: environment)
        let body = Bodies.body([Bodies.event()])
        let json = ("Content-Type", "application/json")
        #expect(try server.post(body, headers: [json, ("Authorization", "Basic " + Data("moe:basic-pass-123".utf8).base64EncodedString())]).status == 200)
        #expect(try server.post(body, headers: [json, ("X-Streams-Key", "k3y-value")]).status == 200)
        let none = try Self.curl(server, "/streams", ["-H", "Content-Type: application/json", "--data-binary", String(decoding: body, as: UTF8.self)])
        #expect(none.status == 401)
        #expect(none.headers.contains(#"www-authenticate: basic realm="streams-archive""#) && none.headers.contains(#"www-authenticate: bearer realm="streams-archive""#))
        #expect(!none.headers.contains("invalid_token"))
        #expect(server.stop() == 0)
    }

    @Test("replay with STREAMS_OAUTH_CLIENT fetches a token as the sender does and sends a generated day with no 401")
    func replayWithOAuth() throws {
        let directory = TestDirectory()
        let server = try ServerProcess(root: directory.file("archive"), environment: Self.environment)
        let bodies = directory.file("bodies.jsonl")
        #expect(try ProcessRunner.archive(["generate", "--events", "5000", "--seed", "3", "--date", "2026-03-14", "--out", bodies]).status == 0)
        let url = "http://127.0.0.1:\(server.port)/streams"
        let replay = try ProcessRunner.archive(["replay", "--url", url, "--input", bodies, "--retry-delay", "0"], environment: ["STREAMS_OAUTH_CLIENT": "moengage:\(Self.secret)"])
        #expect(replay.status == 0, Comment(rawValue: replay.stderr))
        #expect(replay.stderr.contains("errors: none") && replay.stderr.contains("bodies given up: 0"), Comment(rawValue: replay.stderr))
        let refused = try ProcessRunner.archive(["replay", "--url", url, "--input", bodies, "--retry-delay", "0"], environment: ["STREAMS_OAUTH_CLIENT": "moengage:wrong-0123456789abcdef"])
        #expect(refused.status == 1 && refused.stderr.contains("token request answered 401"), Comment(rawValue: refused.stderr))
        #expect(server.stop() == 0)
    }

    @Test("serve refuses OAuth2 clients without a key of 32 characters, or a secret under 16, and says how to make one")
    func configurationErrors() throws {
        for (environment, expected) in [
            (["STREAMS_OAUTH_CLIENTS": "moengage:\(Self.secret)"], "STREAMS_OAUTH_KEY"),
            (["STREAMS_OAUTH_CLIENTS": "moengage:\(Self.secret)", "STREAMS_OAUTH_KEY": "short"], "openssl rand -hex 32"),
            (["STREAMS_OAUTH_CLIENTS": "moengage:short", "STREAMS_OAUTH_KEY": Self.key], "openssl rand -hex 16"),
        ] {
            let run = try ProcessRunner.archive(["serve", "--root", TestDirectory().path], environment: environment)
            #expect(run.status == 64 && run.stderr.contains(expected), Comment(rawValue: run.stderr))
            #expect(!run.stderr.contains(Self.secret) && !run.stderr.contains("short\n"))
        }
    }
}
