import Foundation
import StreamsArchive
import StreamsReceiver
import Testing

/// Hostile requests against the real receiver: each gets its expected status, never a 5xx, and after all of
/// them the receiver is healthy, nothing was written outside ROOT, every stored line is valid JSON, and the
/// good events of the mixed batches are stored.
@Suite("hostile input against the receiver", .serialized)
struct HostileInputTests {
    struct Case: CustomStringConvertible {
        let name: String
        var method = "POST"
        var path = "/streams"
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        var authorized = true
        let expected: Set<Int>
        /// For a batch answered 200: the reply's counts, and for each rejected event a phrase its reason under
        /// rejected/ must hold (records are found by the batch's moe_request_id, unique per case).
        var counts: (accepted: Int, duplicates: Int, rejected: Int)? = nil
        var requestID: String? = nil
        var reasons: [String] = []
        var description: String { name }
    }

    static let credentials = "streams:s3cret-🔑"
    static var good: [String: Any] { Bodies.event(uuid: "good-1") }

    static func body(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func event(_ changes: [String: Any], requestID: String) -> [UInt8] {
        var event = Bodies.event(uuid: "bad-\(UUID().uuidString)")
        for (key, value) in changes { event[key] = value }
        return Bodies.body([good, event], requestID: requestID)
    }

    /// A batch of one event whose `key` is `raw` (replacing the field, never adding a second one).
    static func eventWithRaw(_ key: String, _ raw: String, requestID: String) -> [UInt8] {
        var fields: [(String, String)] = [("event_uuid", #""raw-\#(UUID().uuidString)""#), ("event_code", #""MOE_EMAIL_SENT""#), ("event_time", "1773480000")]
        if let index = fields.firstIndex(where: { $0.0 == key }) { fields[index].1 = raw } else { fields.append((key, raw)) }
        let event = "{" + fields.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",") + "}"
        return body(#"{"app_name":"A","moe_request_id":"\#(requestID)","events":[\#(event)]}"#)
    }

    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        (try? GzipMemberEncoder(level: 6).member(of: bytes)) ?? []
    }

    static let cases: [Case] = {
        let plain = #"{"event_uuid":"u","event_code":"MOE_EMAIL_SENT","event_time":1773480000}"#
        var cases: [Case] = [
            Case(name: "malformed JSON", body: body(#"{"events":[{"event_uuid":}]}"#), expected: [400]),
            Case(name: "truncated body", body: Array(Bodies.body([good]).dropLast(7)), expected: [400]),
            Case(name: "trailing garbage", body: Bodies.body([good]) + body(" trailing"), expected: [400]),
            Case(name: "two documents", body: Bodies.body([good]) + Bodies.body([good]), expected: [400]),
            Case(name: "nesting 100,000 deep", body: body(#"{"events":"# + String(repeating: "[", count: 100_000)), expected: [400]),
            Case(name: "nesting 65 deep inside an event", body: body(#"{"events":[{"event_uuid":"n","x":"# + String(repeating: "[", count: 65) + String(repeating: "]", count: 65) + "}]}"), expected: [400]),
            Case(name: "invalid UTF-8 in a string", body: body(#"{"events":[{"event_uuid":""#) + [0xC3, 0x28] + body(#""}]}"#), expected: [400]),
            Case(name: "overlong UTF-8", body: body(#"{"events":[{"event_uuid":""#) + [0xC0, 0xAF] + body(#""}]}"#), expected: [400]),
            Case(name: "lone high surrogate escape", body: body(#"{"events":[{"event_uuid":"\ud800","event_code":"X","event_time":1773480000}]}"#), expected: [400]),
            Case(name: "lone low surrogate escape", body: body(#"{"events":[{"event_uuid":"\udc00x","event_code":"X","event_time":1773480000}]}"#), expected: [400]),
            Case(name: "NUL byte inside a string", body: body(#"{"events":[{"event_uuid":"a"#) + [0x00] + body(#""}]}"#), expected: [400]),
            Case(name: "NUL byte between tokens", body: body(#"{"events":"#) + [0x00] + body("[]}"), expected: [400]),
            Case(name: "empty body", body: [], expected: [400]),
            Case(name: "JSON null", body: body("null"), expected: [400]),
            Case(name: "JSON array", body: body("[\(plain)]"), expected: [400]),
            Case(name: "events is an object", body: body(#"{"events":\#(plain)}"#), expected: [400]),
            Case(name: "events missing", body: body(#"{"app_name":"A"}"#), expected: [400]),
            Case(name: "number with a leading zero", body: body(#"{"events":[{"event_uuid":"z","event_code":"X","event_time":01773480000}]}"#), expected: [400]),
            Case(name: "app_name a number", body: body(#"{"app_name":7,"events":[\#(plain)]}"#), expected: [200, 400]),
            Case(name: "moe_request_id an object", body: body(#"{"moe_request_id":{},"events":[\#(plain)]}"#), expected: [200, 400]),
        ]
        // Each wrong type is one event refused for the reason named, never stored.
        for (index, (key, raw, reason)) in [
            ("event_uuid", "42", "event_uuid must be a string, found a number"), ("event_uuid", "null", "event_uuid must be a string, found null"),
            ("event_uuid", #""""#, "event_uuid is empty"), ("event_uuid", "\"" + String(repeating: "u", count: 300) + "\"", "event_uuid is longer than 256 bytes"),
            ("event_time", #""1773480000""#, "event_time must be a number, found a string"),
            ("event_time", "1773480000.5", "event_time must be an integer of epoch seconds"), ("event_time", "1e400", "event_time must be an integer of epoch seconds"),
            ("event_time", "99999999999999999999", "event_time must be an integer of epoch seconds"),
            ("event_time", "1773480000000", "looks like epoch milliseconds"), ("event_time", "-5", "event_time -5 is implausible"),
            ("event_code", "7", "event_code must be a string, found a number"), ("event_type", "[]", "event_type must be a string, found an array"),
            ("uid", "{}", "uid must be a string, found an object"), ("event_name", "true", "event_name must be a string, found a boolean"),
            ("event_attributes", #""x""#, "event_attributes must be an object, found a string"),
            ("user_attributes", "3", "user_attributes must be an object, found a number"),
            ("device_attributes", "false", "device_attributes must be an object, found a boolean"),
            ("received_at", "1", #"event carries "received_at""#), ("app_name", #""forged""#, #"event carries "app_name""#),
        ].enumerated() {
            let id = "wrong-type-\(index)"
            cases.append(
                Case(name: "\(key) = \(raw.prefix(24))", body: eventWithRaw(key, raw, requestID: id), expected: [200], counts: (0, 0, 1), requestID: id, reasons: [reason])
            )
        }
        cases.append(
            Case(
                name: "duplicate key in an event", body: body(#"{"moe_request_id":"repeated-key","events":[{"event_uuid":"d","event_uuid":"e","event_code":"X","event_time":1773480000}]}"#),
                expected: [200], counts: (0, 0, 1), requestID: "repeated-key", reasons: [#"key "event_uuid" appears more than once"#]
            )
        )
        // Path-like values are data, never paths: each is stored as sent (good-1 rides along; stored once, then
        // a duplicate), and nothing is refused.
        for (key, value, counts) in [
            ("event_code", "../../../etc/passwd", (2, 0, 0)), ("uid", "/etc/passwd", (1, 1, 0)),
            ("event_type", "../..", (1, 1, 0)), ("event_uuid", "../../x", (1, 1, 0)),
        ] as [(String, String, (Int, Int, Int))] {
            let id = "path-like-\(key)"
            cases.append(Case(name: "path-like \(key)", body: event([key: value], requestID: id), expected: [200], counts: counts, requestID: id))
        }
        cases.append(
            Case(
                name: "path-like campaign_channel", body: event(["event_attributes": ["campaign_channel": "../../../tmp", "campaign_id": "/.."]], requestID: "path-like-channel"),
                expected: [200], counts: (1, 1, 0), requestID: "path-like-channel"
            )
        )
        cases.append(Case(name: "path-like app_name", body: Bodies.body([good], appName: "../../../../tmp/x", requestID: "/etc/shadow"), expected: [200], counts: (0, 1, 0)))
        cases += [
            Case(name: "batch of 10,000 events", body: Bodies.body((0..<10_000).map { Bodies.event(uuid: "big-\($0)") }), expected: [200]),
            Case(name: "body over the size limit", body: Bodies.body([Bodies.event(extra: ["pad": String(repeating: "x", count: 40_000_000)])]), expected: [413]),
            Case(name: "Content-Length over the limit", headers: [("Content-Length", "999999999")], body: [], expected: [413, 400]),
            Case(name: "gzip bomb", headers: [("Content-Encoding", "gzip")], body: gzip([UInt8](repeating: 0x20, count: 200_000_000)), expected: [413]),
            Case(name: "corrupt gzip", headers: [("Content-Encoding", "gzip")], body: Array(gzip(Bodies.body([good])).dropLast(4)) + [1, 2, 3, 4], expected: [400]),
            Case(name: "gzip that is not gzip", headers: [("Content-Encoding", "gzip")], body: Bodies.body([good]), expected: [400]),
            Case(name: "brotli", headers: [("Content-Encoding", "br")], body: Bodies.body([good]), expected: [415]),
            Case(name: "text/plain", headers: [("Content-Type", "text/plain")], body: Bodies.body([good]), expected: [415]),
            Case(name: "multipart", headers: [("Content-Type", "multipart/form-data; boundary=x")], body: Bodies.body([good]), expected: [415]),
            Case(name: "no Authorization", body: Bodies.body([good]), authorized: false, expected: [401]),
            Case(name: "Authorization: Basic !!!", headers: [("Authorization", "Basic !!!")], body: Bodies.body([good]), authorized: false, expected: [401]),
            Case(name: "Authorization: Bearer", headers: [("Authorization", "Bearer abc")], body: Bodies.body([good]), authorized: false, expected: [401]),
            Case(name: "Basic without a colon", headers: [("Authorization", "Basic " + Data("streams".utf8).base64EncodedString())], body: Bodies.body([good]), authorized: false, expected: [401]),
            Case(name: "Basic with the wrong password", headers: [("Authorization", "Basic " + Data("streams:s3cret".utf8).base64EncodedString())], body: Bodies.body([good]), authorized: false, expected: [401]),
            Case(name: "Authorization of 60 KB", headers: [("Authorization", "Basic " + String(repeating: "A", count: 60_000))], body: Bodies.body([good]), authorized: false, expected: [401, 431, 400, 0]),
            Case(name: "a header of 200 KB", headers: [("X-Padding", String(repeating: "p", count: 200_000))], body: Bodies.body([good]), expected: [431, 400, 0]),
            Case(name: "GET /streams", method: "GET", expected: [405]),
            Case(name: "POST /etc/passwd", path: "/../../etc/passwd", body: Bodies.body([good]), expected: [404, 400]),
            Case(name: "byte-order mark before the body", body: [0xEF, 0xBB, 0xBF] + Bodies.body([good]), expected: [200]),
        ]
        return cases
    }()

    /// Where the path-like values point, resolved from every directory the receiver writes in: none of these
    /// may appear, or change, because of what was sent (`/tmp/x` for `../../../../tmp/x`, and so on).
    static func hostileTargets(root: String) -> [String] {
        let values = ["../../../etc/passwd", "/etc/passwd", "../..", "../../x", "../../../tmp", "/..", "../../../../tmp/x", "/etc/shadow"]
        let hour = "\(root)/events/date=2026-03-14/channel=email/hour=09"
        let bases = [root, "\(root)/events", "\(root)/events/date=2026-03-14", "\(root)/events/date=2026-03-14/channel=email", hour, "\(root)/rejected"]
        var targets = Set(values.filter { $0.hasPrefix("/") })
        for base in bases { for value in values { targets.insert(URL(fileURLWithPath: base + "/" + value).standardizedFileURL.path) } }
        return targets.filter { $0 != root && !$0.hasPrefix(root + "/") }.sorted()  // inside ROOT is the archive's own
    }

    /// What a test can see of a path: whether it exists; a file's size and modification time; a directory's
    /// entries that look like archive files (a directory such as /tmp changes for other reasons).
    static func state(_ path: String) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return "absent" }
        if attributes[.type] as? FileAttributeType == .typeDirectory {
            let archiveLike = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter {
                $0.hasSuffix(".jsonl.gz") || $0.hasSuffix(".jsonl.gz.part") || $0.hasPrefix("date=") || $0.hasPrefix("_writers")
            }
            return "directory \(archiveLike.sorted())"
        }
        return "file \(attributes[.size] ?? 0) \(attributes[.modificationDate] ?? "")"
    }

    @Test("every hostile request gets its expected status and never a 5xx; the receiver stays healthy and writes nothing outside ROOT")
    func hostileRequests() throws {
        #expect(Self.cases.count >= 40)
        let directory = TestDirectory()
        let root = directory.file("archive")
        let server = try ServerProcess(
            root: root, arguments: ["--read-timeout", "3"], environment: [ReceiverAuth.basicVariable: Self.credentials]
        )
        let authorization = "Basic " + Data(Self.credentials.utf8).base64EncodedString()
        let targets = Self.hostileTargets(root: root)
        let before = targets.map(Self.state)
        var seen: [String: Int] = [:]
        for hostile in Self.cases {
            var headers = hostile.headers
            if !headers.contains(where: { $0.0 == "Content-Type" }) { headers.append(("Content-Type", "application/json")) }
            if hostile.authorized { headers.append(("Authorization", authorization)) }
            let reply = try? server.connection().request(hostile.method, hostile.path, headers: headers, body: hostile.body)
            let status = reply?.status ?? 0
            seen[hostile.name] = status
            #expect(hostile.expected.contains(status), "\(hostile.name): got \(status)")
            #expect(status < 500, "\(hostile.name): \(status)")
            if let counts = hostile.counts, let reply {
                let answer = (try? JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any]
                #expect(answer?["accepted"] as? Int == counts.accepted && answer?["duplicates"] as? Int == counts.duplicates && answer?["rejected"] as? Int == counts.rejected,
                        "\(hostile.name): \(String(decoding: reply.body, as: UTF8.self))")
            }
        }
        #expect(try server.connection().request("GET", "/healthz").status == 200, "alive after \(seen.count) hostile requests")
        #expect(server.stop() == 0)

        let outside = directory.files().filter { !$0.hasPrefix(root + "/") && !$0.hasPrefix(directory.path + "/archive-serve-") }
        #expect(outside.isEmpty, "written outside ROOT: \(outside)")
        for (target, (was, now)) in zip(targets, zip(before, targets.map(Self.state))) {
            #expect(was == now, "\(target), where a hostile name points, changed: \(was) → \(now)")
        }

        // Each refused event is under rejected/ with its reason, found by its batch's moe_request_id.
        var reasons: [String: [String]] = [:]
        for file in directory.files(under: "archive/rejected") where file.hasSuffix(".jsonl.gz") {
            for line in try GzipFileReader(path: file).readAllLines() {
                // Records keep refused events byte for byte, 1e400 included, which Foundation cannot read: the
                // receiver's strict scanner reads the two fields wanted.
                let record = try JSONScanner().document(line)
                if let id = record.member(of: record.root, named: "moe_request_id").flatMap(record.string),
                    let reason = record.member(of: record.root, named: "reason").flatMap(record.string)
                {
                    reasons[id, default: []].append(reason)
                }
            }
        }
        for hostile in Self.cases {
            guard let id = hostile.requestID else { continue }
            let stored = reasons[id] ?? []
            #expect(stored.count == hostile.reasons.count, "\(hostile.name): rejected/ holds \(stored)")
            for phrase in hostile.reasons { #expect(stored.contains { $0.contains(phrase) }, "\(hostile.name): no reason with \"\(phrase)\" in \(stored)") }
        }
        let stored = try Expectations.stored(root: root)
        let uuids = Set(stored.map { $0.line["event_uuid"] as! String })
        #expect(uuids.contains("good-1") && uuids.contains("big-9999") && uuids.contains("../../x"))
        for file in directory.files(under: "archive") where file.hasSuffix(".jsonl.gz") {
            for line in try GzipFileReader(path: file).readAllLines() {
                #expect((try? JSONSerialization.jsonObject(with: Data(line))) != nil, "\(file): \(String(decoding: line.prefix(300), as: UTF8.self))")
            }
        }
        let channels: Set<String> = Set(Channel.allCases.map { "channel=\($0.rawValue)" })
        for (partition, _) in stored {
            let parts = partition.split(separator: "/").map(String.init)
            #expect(parts.count == 4 && channels.contains(parts[2]), "\(partition)")
        }
    }
}
