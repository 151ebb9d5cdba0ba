import Foundation
import StreamsArchive
import StreamsReceiver
import Testing

@Suite("receiver: serve on a real loopback socket", .serialized)
struct ReceiverTests {
    static func compact(_ body: [UInt8]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: try! JSONSerialization.jsonObject(with: Data(body))))
    }

    @Test("generated traffic replayed over HTTP lands in the right partitions, and after SIGTERM every file passes gzip -t")
    func replayedTrafficLandsInItsPartitions() throws {
        let directory = TestDirectory()
        let input = directory.file("day.jsonl")
        #expect(try ProcessRunner.archive(["generate", "--events", "4000", "--date", "2026-03-14", "--seed", "21", "--out", input]).status == 0)
        let root = directory.file("archive")
        let server = try ServerProcess(root: root)
        let replay = try ProcessRunner.archive(["replay", "--url", "http://127.0.0.1:\(server.port)/streams", "--input", input, "--concurrency", "8"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stderr.contains("bodies given up: 0"))
        #expect(replay.stderr.contains("events/s") && replay.stderr.contains("p99"))
        #expect(server.stop() == 0)
        #expect(server.log.contains("writer stopped"))

        let sent = try Expectations.events(inBodiesFile: input)
        let stored = try Expectations.stored(root: root)
        var storedPartitions: [String: String] = [:]
        for (partition, line) in stored { storedPartitions[line["event_uuid"] as! String] = partition }
        for event in sent {
            #expect(storedPartitions[event["event_uuid"] as! String] == Expectations.partition(of: event), "\(event["event_uuid"]!)")
        }
        #expect(stored.count == Set(sent.map { $0["event_uuid"] as! String }).count, "retried batches are acknowledged without being written twice")
        for file in directory.files(under: "archive/events") {
            #expect(ArchiveFileName.isFinished((file as NSString).lastPathComponent), "left in progress: \(file)")
            #expect(try ProcessRunner.run("gzip", ["-t", file]).status == 0)
        }
    }

    @Test("the 200 body counts accepted, duplicates and rejected; a mixed batch stores the good events and keeps the bad with reasons")
    func mixedBatchIsPartlyAccepted() throws {
        let directory = TestDirectory()
        let server = try ServerProcess(root: directory.file("archive"))
        let body = Bodies.body([Bodies.event(uuid: "m-1"), Bodies.event(uuid: "m-2", time: 1_773_480_000_000), "not an event", Bodies.event(uuid: "m-3")])
        let reply = try server.post(body)
        #expect(reply.status == 200)
        #expect(reply.json == ["accepted": 2, "duplicates": 0, "rejected": 2])
        #expect(server.stop() == 0)
        #expect(Set(try Expectations.stored(root: directory.file("archive")).map { $0.line["event_uuid"] as! String }) == ["m-1", "m-3"])
        let rejected = directory.files(under: "archive/rejected")
        let reasons = try rejected.flatMap { try GzipFileReader(path: $0).readAllLines() }.map { try Bodies.object($0)["reason"] as! String }
        #expect(Set(reasons) == ["event_time 1773480000000 looks like epoch milliseconds; Streams sends epoch seconds", "event is a string, not an object"])
    }

    @Test("an event_uuid already committed is acknowledged as a duplicate and not written again, also after a restart")
    func duplicatesAreAcknowledgedNotRewritten() throws {
        let directory = TestDirectory()
        let root = directory.file("archive")
        let body = Bodies.body((0..<20).map { Bodies.event(uuid: "dup-\($0)") })
        var server = try ServerProcess(root: root)
        #expect(try server.post(body).json == ["accepted": 20, "duplicates": 0, "rejected": 0])
        #expect(try server.post(body).json == ["accepted": 0, "duplicates": 20, "rejected": 0])
        #expect(server.stop() == 0)
        server = try ServerProcess(root: root)
        #expect(try server.post(body).json == ["accepted": 0, "duplicates": 20, "rejected": 0])
        server.kill9()
        server = try ServerProcess(root: root)
        let partly = Bodies.body((10..<30).map { Bodies.event(uuid: "dup-\($0)") })
        #expect(try server.post(partly).json == ["accepted": 10, "duplicates": 10, "rejected": 0])
        #expect(server.stop() == 0)
        #expect(try Expectations.stored(root: root).count == 30)
    }

    @Test("credentials: Basic and a static header, each accepted; anything else is a 401; secrets never reach the log")
    func authenticationIsEnforced() throws {
        let directory = TestDirectory()
        let server = try ServerProcess(
            root: directory.file("archive"),
            environment: ["STREAMS_BASIC_AUTH": "moe:s3cret-pass", "STREAMS_AUTH_HEADER": "X-Streams-Key: k3y-value"]
        )
        let body = Bodies.body([Bodies.event()])
        let json = ("Content-Type", "application/json")
        let good = "Basic " + Data("moe:s3cret-pass".utf8).base64EncodedString()
        #expect(try server.post(body, headers: [json]).status == 401)
        #expect(try server.post(body, headers: [json, ("Authorization", "Basic " + Data("moe:wrong".utf8).base64EncodedString())]).status == 401)
        #expect(try server.post(body, headers: [json, ("Authorization", "Basic !!!not-base64")]).status == 401)
        #expect(try server.post(body, headers: [json, ("Authorization", "Bearer s3cret-pass")]).status == 401)
        #expect(try server.post(body, headers: [json, ("X-Streams-Key", "k3y-valu")]).status == 401)
        let challenge = try server.post(body, headers: [json])
        #expect(challenge.json["error"] as? String == "missing or wrong credentials")
        #expect(challenge.headers["www-authenticate"] == #"Basic realm="streams-archive""#)
        #expect(try server.post(body, headers: [json, ("Authorization", good)]).status == 200)
        #expect(try server.post(body, headers: [json, ("authorization", "basic " + good.dropFirst(6))]).status == 200)
        #expect(try server.post(body, headers: [json, ("X-Streams-Key", "k3y-value")]).status == 200)
        let input = directory.file("one.jsonl")
        try Data(Self.compact(Bodies.body([Bodies.event(uuid: "replayed")]))).write(to: URL(fileURLWithPath: input))
        let url = "http://127.0.0.1:\(server.port)/streams"
        for credentials in [["STREAMS_BASIC_AUTH": "moe:s3cret-pass"], ["STREAMS_AUTH_HEADER": "X-Streams-Key: k3y-value"]] {
            let replay = try ProcessRunner.archive(["replay", "--url", url, "--input", input, "--retry-delay", "0"], environment: credentials)
            #expect(replay.status == 0, "replay with \(credentials.keys.first!): \(replay.stderr)")
        }
        let refused = try ProcessRunner.archive(["replay", "--url", url, "--input", input, "--retry-delay", "0"], environment: [:])
        #expect(refused.status == 1 && refused.stderr.contains("HTTP 401×4"))
        #expect(server.stop() == 0)
        #expect(!server.log.contains("s3cret") && !server.log.contains("k3y-value"))
        #expect(server.log.contains("http.status=401"))
    }

    @Test("the readiness file names the bound port while serving and is gone after a clean stop")
    func readinessFileFollowsTheReceiver() throws {
        let directory = TestDirectory()
        let server = try ServerProcess(root: directory.file("archive"))
        let readiness = try #require(try ReceiverReadiness.read(from: server.readyFile))
        #expect(readiness.port == server.port && readiness.host == "127.0.0.1")
        #expect(try server.connection().request("GET", "/healthz").status == 200)
        #expect(server.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: server.readyFile))
    }

    @Test("a readiness file that is not a receiver's is an error, not a crash", arguments: ["[]", "null", "{\"port\":1}", "{"])
    func foreignReadinessFile(_ text: String) throws {
        let directory = TestDirectory()
        let path = directory.file("ready.json")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try ReceiverReadiness.read(from: path) }
    }

    @Test("serve refuses a non-loopback address without credentials unless --no-auth, and says how to fix it")
    func nonLoopbackNeedsAuth() throws {
        let output = try ProcessRunner.archive(["serve", "--root", TestDirectory().path, "--host", "0.0.0.0"], environment: [:])
        #expect(output.status == 64)
        #expect(output.stderr.contains("STREAMS_BASIC_AUTH") && output.stderr.contains("--no-auth"))
        let malformed = try ProcessRunner.archive(["serve", "--root", TestDirectory().path], environment: ["STREAMS_BASIC_AUTH": "no-colon-secret"])
        #expect(malformed.status == 64)
        #expect(malformed.stderr.contains("STREAMS_BASIC_AUTH must be user:password") && !malformed.stderr.contains("no-colon-secret"))
        let open = try ServerProcess(root: TestDirectory().path, arguments: ["--host", "0.0.0.0", "--no-auth"])
        #expect(open.stop() == 0)
    }

    @Test("a body that is not a Streams envelope gets a 400 with a JSON reason, and is kept under rejected/")
    func invalidEnvelopeIs400AndKept() throws {
        let directory = TestDirectory()
        let server = try ServerProcess(root: directory.file("archive"))
        let raw = Array(#"{"app_name":"A","events":[{"event_uuid":"x",}]}"#.utf8)
        let reply = try server.post(raw)
        #expect(reply.status == 400)
        #expect((reply.json["error"] as? String)?.hasPrefix("body is not valid JSON: invalid JSON at byte 44: expected a string key, found '}'") == true)
        let notEnvelope = try server.post(Array(#"{"hello":"world"}"#.utf8))
        #expect(notEnvelope.status == 400)
        #expect(server.stop() == 0)
        let kept = try directory.files(under: "archive/rejected").flatMap { try GzipFileReader(path: $0).readAllLines() }.map { try Bodies.object($0) }
        #expect(kept.compactMap { $0["body"] as? String }.sorted() == [String(decoding: raw, as: UTF8.self), #"{"hello":"world"}"#].sorted())
    }

    @Test("bodies over --max-body-bytes get a 413, compressed or decompressed; a gzip bomb does not grow memory")
    func oversizedBodiesAre413() throws {
        let directory = TestDirectory()
        let server = try ServerProcess(root: directory.file("archive"), arguments: ["--max-body-bytes", "65536"])
        let big = Bodies.body((0..<200).map { _ in Bodies.event(extra: ["pad": String(repeating: "p", count: 500)]) })
        #expect(big.count > 65536)
        #expect(try server.post(big).status == 413)

        let bomb = directory.file("bomb.gz")
        try ProcessRunner.shell("head -c 2000000000 /dev/zero | gzip -1 > '\(bomb)'")
        let bombBytes = Array(try Data(contentsOf: URL(fileURLWithPath: bomb)))
        #expect(bombBytes.count < 16 << 20, "the compressed bomb fits under the body limit; only its decompressed size is refused")
        let unbounded = try ServerProcess(root: directory.file("archive2"))
        let reply = try unbounded.post(bombBytes, headers: [("Content-Type", "application/json"), ("Content-Encoding", "gzip")])
        #expect(reply.status == 413)
        #expect(reply.json["error"] as? String == "gzip body decompresses to more than 16777216 bytes")
        let peak = try String(contentsOfFile: "/proc/\(unbounded.process.processIdentifier)/status", encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("VmHWM:") }.map { Int($0.split(separator: " ")[1])! } ?? .max
        #expect(peak < 400_000, "peak RSS \(peak) kB after a 2 GB gzip bomb")
        #expect(try unbounded.connection().request("GET", "/healthz").status == 200)

        let small = try GzipMemberEncoder(level: 6).member(of: Bodies.body([Bodies.event(uuid: "gz-1")]))
        #expect(try unbounded.post(small, headers: [("Content-Type", "application/json"), ("Content-Encoding", "gzip")]).json["accepted"] as? Int == 1)
        let corrupt = try unbounded.post(Array(small.prefix(small.count / 2)), headers: [("Content-Type", "application/json"), ("Content-Encoding", "gzip")])
        #expect(corrupt.status == 400)
        #expect(unbounded.stop() == 0)
        #expect(server.stop() == 0)
    }

    @Test(
        "unsupported encodings and content types get a 415; a wrong method a 405; a wrong path a 404",
        arguments: [
            ("POST", "/streams", [("Content-Type", "application/json"), ("Content-Encoding", "br")], 415),
            ("POST", "/streams", [("Content-Type", "text/plain")], 415),
            ("POST", "/streams", [("Content-Type", "application/json; charset=utf-8")], 200),
            ("GET", "/streams", [], 405),
            ("PUT", "/streams", [], 405),
            ("POST", "/events", [("Content-Type", "application/json")], 404),
            ("GET", "/healthz", [], 200),
        ] as [(String, String, [(String, String)], Int)]
    )
    func statusForMethodPathAndHeaders(method: String, path: String, headers: [(String, String)], status: Int) throws {
        let server = try ServerProcess(root: TestDirectory().path)
        let reply = try server.connection().request(method, path, headers: headers, body: Bodies.body([Bodies.event()]))
        #expect(reply.status == status)
        if status == 405 { #expect(reply.headers["allow"] == "POST") }
        #expect(server.stop() == 0)
    }

    @Test("a client that trickles its request is cut off by the read timeout")
    func slowClientIsCutOff() throws {
        let server = try ServerProcess(root: TestDirectory().path, arguments: ["--read-timeout", "2"])
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(connected == 0)
        var closedByServer = false
        for byte in "POST /streams HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"events\":[".utf8 {
            var one = byte
            if send(fd, &one, 1, Int32(MSG_NOSIGNAL)) < 0 { closedByServer = true; break }
            var probe: UInt8 = 0
            if recv(fd, &probe, 1, Int32(MSG_DONTWAIT)) == 0 { closedByServer = true; break }
            usleep(200_000)
        }
        #expect(closedByServer, "the server kept a connection that sent one byte every 200 ms")
        #expect(try server.connection().request("GET", "/healthz").status == 200)
        #expect(server.stop() == 0)
    }

    @Test("/metrics reports requests by status, events, bytes written, commit latency and open files")
    func metricsAreExposed() throws {
        let server = try ServerProcess(root: TestDirectory().path)
        _ = try server.post(Bodies.body([Bodies.event()]))
        _ = try server.post(Array("nope".utf8))
        let text = String(decoding: try server.connection().request("GET", "/metrics").body, as: UTF8.self)
        for name in ["streams_requests_total{status=\"200\"} 1", "streams_requests_total{status=\"400\"} 1", "streams_events_accepted_total 1",
                     "streams_events_rejected_total", "streams_events_duplicate_total", "streams_bytes_written_total", "streams_commit_seconds_bucket", "streams_open_files"] {
            #expect(text.contains(name), "\(name)")
        }
        #expect(server.stop() == 0)
    }
}
