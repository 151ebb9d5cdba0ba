import Foundation
import StreamsArchive
import StreamsReceiver
import Testing

/// HTTP/1 behaviour of the real receiver at the socket: descriptor exhaustion, connection persistence,
/// `Expect: 100-continue`, requests NIO's parser refuses, and transfer codings. Every request is written byte by
/// byte as a client would send it (no HTTP library in between) and every answer is read from the socket.
@Suite("receiver: HTTP/1 protocol at the socket", .serialized)
struct ReceiverProtocolTests {
    static let batch = Bodies.body([Bodies.event(uuid: "protocol-1")])

    static func post(_ headers: [String], body: [UInt8]) -> [UInt8] {
        Array((["POST /streams HTTP/1.1", "Host: 127.0.0.1"] + headers + ["", ""]).joined(separator: "\r\n").utf8) + body
    }

    /// The count of `streams_requests_total` for `status` in /metrics (0 before the first).
    static func requests(_ server: ServerProcess, status: Int) throws -> Int {
        let text = String(decoding: try server.connection().request("GET", "/metrics").body, as: UTF8.self)
        let prefix = "streams_requests_total{status=\"\(status)\"} "
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
    }

    // MARK: 1. descriptors

    @Test("with more idle clients than descriptors, extra connections get 503 with Retry-After, the idle server uses no CPU, and it serves again once they leave")
    func descriptorExhaustionIsRefusedWithoutSpinning() throws {
        let limit = 256
        let server = try ServerProcess(root: TestDirectory().path, descriptorLimit: limit)
        let clients = try (0..<(limit + 44)).map { _ in try RawSocket(port: server.port, waiting: false) }
        var refused: Set<Int> = []
        var answers: [Int: String] = [:]
        let deadline = ContinuousClock.now + .seconds(15)
        while refused.count < clients.count - limit, ContinuousClock.now < deadline {
            for (index, client) in clients.enumerated() where !refused.contains(index) {
                if case .bytes(let bytes) = client.read(timeout: .zero) { answers[index, default: ""] += String(decoding: bytes, as: UTF8.self) }
                if let text = answers[index], RawResponse.isComplete(text) { refused.insert(index) }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(refused.count >= clients.count - limit, "connections beyond the descriptor limit must be refused, not left waiting")
        for index in refused {
            let text = answers[index] ?? ""
            #expect(RawResponse.statuses(text) == [503], "\(text)")
            #expect(RawResponse.header("retry-after", in: text) != nil)
            #expect(text.contains(#""error":"#))
        }

        let before = server.cpuTime
        Thread.sleep(forTimeInterval: 2)
        let used = server.cpuTime - before
        #expect(used < .milliseconds(500), "the server used \(used) of CPU in 2 s with only idle clients")

        _ = consume clients
        var status = 0
        for _ in 0..<50 where status != 200 {
            status = (try? server.post(Self.batch))?.status ?? 0
            if status != 200 { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(status == 200)
        #expect(server.stop() == 0)
    }

    @Test("serve --max-connections 2: with two clients connected, a third gets 503 at once, before it sends anything; the two are still served")
    func maxConnectionsIsConfigurable() throws {
        let server = try ServerProcess(root: TestDirectory().path, arguments: ["--max-connections", "2"])
        let served = try (0..<2).map { _ in try RawSocket(port: server.port) }
        func healthz(_ client: RawSocket) throws -> [Int] {
            try client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            return RawResponse.statuses(client.readResponse(timeout: .seconds(5)))
        }
        for client in served { #expect(try healthz(client) == [200]) }
        let third = try RawSocket(port: server.port)
        let (text, ended) = third.readToEnd(timeout: .seconds(5))
        #expect(RawResponse.statuses(text) == [503], "\(text)")
        #expect(RawResponse.header("retry-after", in: text) != nil)
        #expect(ended)
        for client in served { #expect(try healthz(client) == [200]) }
        #expect(server.stop() == 0)
    }

    // MARK: 2. persistence

    @Test("an HTTP/1.0 request without keep-alive gets its response, then end of stream")
    func http10ConnectionEndsAfterResponse() throws {
        let server = try ServerProcess(root: TestDirectory().path)
        let client = try RawSocket(port: server.port)
        try client.send("GET /healthz HTTP/1.0\r\n\r\n")
        let (text, ended) = client.readToEnd(timeout: .seconds(5))
        #expect(RawResponse.statuses(text) == [200], "\(text)")
        #expect(ended, "the server kept an HTTP/1.0 connection open after answering")
        #expect(server.stop() == 0)
    }

    @Test("Connection: Close on HTTP/1.1, in any letter case, ends the connection after the response")
    func connectionCloseEndsConnection() throws {
        let server = try ServerProcess(root: TestDirectory().path)
        let client = try RawSocket(port: server.port)
        try client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Close\r\n\r\n")
        let (text, ended) = client.readToEnd(timeout: .seconds(5))
        #expect(RawResponse.statuses(text) == [200], "\(text)")
        #expect(RawResponse.header("connection", in: text)?.lowercased() == "close")
        #expect(ended, "the server kept the connection open after Connection: Close")
        #expect(server.stop() == 0)
    }

    @Test("HTTP/1.0 with Connection: keep-alive stays open for a second request and says keep-alive")
    func http10KeepAliveStaysOpen() throws {
        let server = try ServerProcess(root: TestDirectory().path)
        let client = try RawSocket(port: server.port)
        for _ in 0..<2 {
            try client.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let text = client.readResponse(timeout: .seconds(5))
            #expect(RawResponse.statuses(text) == [200], "\(text)")
            #expect(RawResponse.header("connection", in: text)?.lowercased() == "keep-alive", "an HTTP/1.0 client closes unless told keep-alive: \(text)")
        }
        #expect(server.stop() == 0)
    }

    // MARK: 3. Expect

    @Test("Expect: 100-continue gets 100 Continue before the body is sent, then 200 for the body")
    func expectContinueIsAnswered() throws {
        let server = try ServerProcess(root: TestDirectory().path)
        let client = try RawSocket(port: server.port)
        try client.send(Self.post(["Content-Type: application/json", "Expect: 100-continue", "Content-Length: \(Self.batch.count)"], body: []))
        var interim = ""
        while !interim.contains("\r\n\r\n"), case .bytes(let bytes) = client.read(timeout: .milliseconds(500)) {
            interim += String(decoding: bytes, as: UTF8.self)
        }
        #expect(interim.hasPrefix("HTTP/1.1 100"), "no 100 Continue within 500 ms of the headers: \(interim)")
        try client.send(Self.batch)
        let text = client.readResponse(timeout: .seconds(10))
        #expect(RawResponse.statuses(text) == [200], "\(text)")
        #expect(server.stop() == 0)
    }

    @Test("wrong credentials with Expect: 100-continue get 401 at once, no 100, and the connection ends without the body")
    func expectContinueWithWrongCredentialsGets401() throws {
        let server = try ServerProcess(root: TestDirectory().path, environment: [ReceiverAuth.basicVariable: "streams:s3cret"])
        let client = try RawSocket(port: server.port)
        let wrong = Data("streams:wrong".utf8).base64EncodedString()
        try client.send(Self.post(["Authorization: Basic \(wrong)", "Content-Type: application/json", "Expect: 100-continue", "Content-Length: \(Self.batch.count)"], body: []))
        let (text, ended) = client.readToEnd(timeout: .seconds(5))
        #expect(RawResponse.statuses(text) == [401], "\(text)")
        #expect(ended, "the server waited for a body the client will not send")
        #expect(server.stop() == 0)
    }

    @Test("an expectation other than 100-continue gets 417")
    func unsupportedExpectationGets417() throws {
        let server = try ServerProcess(root: TestDirectory().path)
        let client = try RawSocket(port: server.port)
        try client.send(Self.post(["Content-Type: application/json", "Expect: 200-ok", "Content-Length: \(Self.batch.count)"], body: Self.batch))
        let (text, _) = client.readToEnd(timeout: .seconds(5))
        #expect(RawResponse.statuses(text) == [417], "\(text)")
        #expect(text.contains(#""error":"#))
        #expect(server.stop() == 0)
    }

    // MARK: 4. parser refusals

    @Test("requests NIO's parser refuses get 400, each logged as a refusal and counted in /metrics")
    func parserRefusalsAreLoggedAndCounted() throws {
        let server = try ServerProcess(root: TestDirectory().path)
        let malformed: [(String, [UInt8])] = [
            ("two Content-Length", Array("POST /streams HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}".utf8)),
            ("100 KB header", Array(("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 100_000) + "\r\n\r\n").utf8)),
            ("non-ASCII path", Array("GET /h\u{E9}althz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
            ("bare LF", Array("GET /healthz HTTP/1.1\nHost: x\n\n".utf8)),
            ("Transfer-Encoding and Content-Length", Array("POST /streams HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".utf8)),
        ]
        let before = try Self.requests(server, status: 400)
        for (name, request) in malformed {
            let client = try RawSocket(port: server.port)
            try client.send(request)
            let (text, _) = client.readToEnd(timeout: .seconds(5))
            #expect(RawResponse.statuses(text) == [400], "\(name): \(text)")
        }
        #expect(try Self.requests(server, status: 400) == before + malformed.count)
        let refusals = server.log.split(separator: "\n").filter { $0.contains("request refused") && $0.contains("http.status=400") }
        #expect(refusals.count == malformed.count, "\(server.log)")
        #expect(server.stop() == 0)
    }

    // MARK: 5. transfer codings

    @Test("Transfer-Encoding: gzip, chunked is refused with 501 and nothing is stored")
    func gzipTransferCodingIsRefused() throws {
        let root = TestDirectory()
        let server = try ServerProcess(root: root.path)
        let client = try RawSocket(port: server.port)
        let gzipped = try GzipMemberEncoder(level: 6).member(of: Self.batch)
        let chunked = Array(String(gzipped.count, radix: 16).utf8) + Array("\r\n".utf8) + gzipped + Array("\r\n0\r\n\r\n".utf8)
        try client.send(Self.post(["Content-Type: application/json", "Transfer-Encoding: gzip, chunked"], body: chunked))
        let (text, _) = client.readToEnd(timeout: .seconds(5))
        #expect(RawResponse.statuses(text) == [501], "\(text)")
        #expect(text.contains(#""error":"#))
        #expect(server.stop() == 0)
        #expect(root.files(under: "events").isEmpty)
    }
}
