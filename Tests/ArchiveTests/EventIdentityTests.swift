import Foundation
import StreamsArchive
import Testing

/// One rule for "the same event" (its event_uuid's unescaped UTF-8 bytes) and for keys (bytes, and never twice
/// in one object at any depth), in the receiver, seal, report and verify; checked with Foundation and zcat.
@Suite("event identity and repeated keys")
struct EventIdentityTests {
    /// `"nfgrp-é"` precomposed (U+00E9) and decomposed (e + U+0301): equal as Swift Strings, two events to MoEngage.
    static let precomposed = "nfgrp-\u{00E9}"
    static let decomposed = "nfgrp-e\u{0301}"

    @Test("the receiver stores both of two uuids that Unicode calls equal but whose bytes differ, and dedups each on retry")
    func canonicallyEquivalentUUIDsAreTwoEvents() throws {
        let directory = TestDirectory()
        let server = try ServerProcess(root: directory.file("archive"))
        // Written by hand: a Swift String or dictionary could not be trusted to keep the two spellings apart.
        let events = [Self.precomposed, Self.decomposed].map { #"{"event_uuid":"\#($0)","event_time":1773480000,"event_code":"MOE_EMAIL_SENT"}"# }
        let body = Array(#"{"app_name":"A","events":[\#(events.joined(separator: ","))]}"#.utf8)
        #expect(try server.post(body).json == ["accepted": 2, "duplicates": 0, "rejected": 0])
        #expect(try server.post(body).json == ["accepted": 0, "duplicates": 2, "rejected": 0])
        #expect(server.stop() == 0)
        let stored = try Expectations.stored(root: directory.file("archive")).map { Array(($0.line["event_uuid"] as! String).utf8) }
        #expect(stored.sorted { $0.lexicographicallyPrecedes($1) } == [Array(Self.decomposed.utf8), Array(Self.precomposed.utf8)])
    }

    @Test("keys that differ in bytes but not as Swift Strings are two keys, not a repeated key")
    func canonicallyEquivalentKeysAreDistinct() throws {
        let body = Array(#"{"events":[{"event_uuid":"keys-1","event_time":1773480000,"event_code":"MOE_EMAIL_SENT","k\#u{00E9}":1,"ke\#u{0301}":2}]}"#.utf8)
        let batch = try Bodies.parse(body)
        #expect(batch.accepted.count == 1 && batch.rejected.isEmpty)
    }

    @Test("keys of one length that share their first and last eight bytes are two keys; either of them twice is refused")
    func lookalikeLongKeys() throws {
        func check(_ line: String) -> StoredLine.Problem? {
            var rule = StoredLine()
            guard case .failure(let problem) = Array(line.utf8).withUnsafeBytes({ rule.check($0) }) else { return nil }
            return problem
        }
        // 18 bytes each: "campaign" and "_channel" alike, the bytes between them not.
        let alike = #"{"event_uuid":"k-1","event_time":1,"campaign_A_channel":1,"campaign_B_channel":2}"#
        #expect(check(alike) == nil)
        #expect(check(alike.replacingOccurrences(of: "2}", with: #"2,"campaign_B_channel":3}"#)) == .repeatedKey("campaign_B_channel"))
    }

    /// Lines for `StoredLine`'s key check, which compares keys while it parses: a key repeated deep down, after
    /// a nested object closed, spelled with an escape, or past the keys the parser tracks at once.
    static let manyKeys = (0..<70).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
    static let refusedKeys: [(line: String, key: String)] = [
        (#"{"event_uuid":"d-1","event_time":1,"user_attributes":{"a":{"b":[{"x":1,"x":2}]}}}"#, "x"),
        (#"{"event_uuid":"d-2","event_time":1,"a":{"c":1,"d":{"e":2}},"b":2,"a":3}"#, "a"),
        (#"{"event_uuid":"d-3","event_time":1,"event_attributes":{"id":1,"\u0069d":2}}"#, "id"),
        (#"{"event_uuid":"d-4","event_time":1,\#(manyKeys),"k3":0}"#, "k3"),
    ]

    @Test("a stored line with a key repeated at any depth, after a nested object, behind an escape or among 70 keys is refused with the key named", arguments: 0..<4)
    func storedLineRefusesRepeatedKeys(_ index: Int) {
        var rule = StoredLine()
        let (line, key) = Self.refusedKeys[index]
        let result = Array(line.utf8).withUnsafeBytes { rule.check($0) }
        guard case .failure(let problem) = result else {
            Issue.record("accepted: \(line)")
            return
        }
        #expect(problem == .repeatedKey(key))
    }

    @Test("a stored line whose nested objects reuse their parents' keys, or with 70 distinct keys, is accepted", arguments: [
        #"{"event_uuid":"ok-1","event_time":1,"a":1,"o":{"a":2,"o":{"a":3}},"p":{"a":4}}"#,
        #"{"event_uuid":"ok-2","event_time":1,\#(EventIdentityTests.manyKeys)}"#,
    ])
    func storedLineAcceptsDistinctKeys(_ line: String) {
        var rule = StoredLine()
        let result = Array(line.utf8).withUnsafeBytes { rule.check($0) }
        if case .failure(let problem) = result { Issue.record("refused (\(problem)): \(line)") }
    }

    @Test("the parse proves an event's keys distinct, so StoredLine skips its walk; a repeat, an escaped key or 70 keys send it to the walk")
    func parseFlagsWhatMayRepeat() throws {
        let scanner = JSONScanner()
        var nodes: [JSONNode] = []
        func mayRepeat(_ line: String) throws -> Bool { try Array(line.utf8).withUnsafeBytes { try scanner.scanCheckingKeys($0, nodes: &nodes) } }
        let event = #"{"event_uuid":"p-1","event_time":1,"event_code":"MOE_EMAIL_SENT","uid":"u1","event_attributes":{"campaign_id":"c1","campaign_channel":"Email","campaign_A_channel":1,"campaign_B_channel":2},"user_attributes":{"a":1,"o":{"a":2}},"a":3}"#
        #expect(try !mayRepeat(event))
        for (line, _) in Self.refusedKeys { #expect(try mayRepeat(line), "\(line)") }
    }

    @Test("a key repeated inside event_attributes (or deeper) is refused with the key named, and kept as text under rejected/")
    func repeatedNestedKeysAreRefused() throws {
        let event = #"{"event_uuid":"rep-1","event_time":1773480000,"event_code":"MOE_EMAIL_SENT","event_type":"CAMPAIGN_EVENT","event_attributes":{"campaign_id":"FIRST","campaign_channel":"Email","campaign_id":"SECOND"}}"#
        let deeper = #"{"event_uuid":"rep-2","event_time":1773480000,"event_code":"MOE_EMAIL_SENT","user_attributes":{"a":{"b":[{"x":1,"x":2}]}}}"#
        let escaped = #"{"event_uuid":"rep-3","event_time":1773480000,"event_code":"MOE_EMAIL_SENT","event_attributes":{"id":1,"\u0069d":2}}"#
        let body = Array(#"{"app_name":"A","events":[\#(event),\#(deeper),\#(escaped)]}"#.utf8)
        let batch = try Bodies.parse(body)
        #expect(batch.accepted.isEmpty)
        #expect(batch.rejected.map(\.reason) == [.duplicateKey("campaign_id"), .duplicateKey("x"), .duplicateKey("id")])

        let directory = TestDirectory()
        let server = try ServerProcess(root: directory.file("archive"))
        #expect(try server.post(body).json == ["accepted": 0, "duplicates": 0, "rejected": 3])
        #expect(server.stop() == 0)
        #expect(directory.files(under: "archive/events").isEmpty, "nothing filed under any channel")
        let kept = try directory.files(under: "archive/rejected").flatMap { try GzipFileReader(path: $0).readAllLines() }.map(Bodies.object)
        #expect(kept.map { $0["event_text"] as? String } == [event, deeper, escaped])
    }

    @Test("seal keeps one copy of a uuid written raw in one body and escaped in a retry; the manifest, report and zcat agree")
    func sealDedupsAcrossEscapes() throws {
        let directory = TestDirectory()
        let root = directory.file("archive")
        let raw = #"{"app_name":"A","events":[{"event_uuid":"esc-é-1","event_time":1773480000,"event_code":"MOE_EMAIL_SENT","event_type":"CAMPAIGN_EVENT","uid":"u1","event_attributes":{"campaign_id":"c1","campaign_channel":"Email"}}]}"#
        let escaped = raw.replacingOccurrences(of: "esc-é-1", with: #"esc-\u00e9-1"#)
        let bodies = directory.file("bodies.jsonl")
        try (raw + "\n" + escaped + "\n").write(toFile: bodies, atomically: true, encoding: .utf8)
        #expect(try ProcessRunner.archive(["ingest", "--root", root, "--input", bodies]).status == 0)
        #expect(try ProcessRunner.archive(["seal", "--root", root, "--grace", "0"]).status == 0)
        let sealed = directory.files(under: "archive/events") { $0.hasPrefix("sealed-") }
        let lines = try ProcessRunner.run("zcat", sealed).text.split(separator: "\n")
        #expect(lines.count == 1, "one event, as DuckDB or Spark over the sealed file will count it")
        let manifest = try #require(directory.files(under: "archive/events") { $0 == "_MANIFEST.json" }.first)
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifest))) as! NSDictionary
        #expect((record["files"] as! [NSDictionary]).first?["events"] as? Int == 1 && record["duplicates_dropped"] as? Int == 1)
        #expect(try ProcessRunner.archive(["report", "--root", root, "--date", "2026-03-14"]).status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(root)/reports/date=2026-03-14/report.json"))) as! NSDictionary
        #expect((report["totals"] as! NSDictionary)["events"] as? Int == 1)
        #expect(try ProcessRunner.archive(["verify", "--root", root]).status == 0)
    }

    @Test("verify flags a sealed file that holds one uuid twice (as an older seal could write), naming the uuid and what to do")
    func verifyFlagsRepeatedUUIDInSealedFile() throws {
        let directory = TestDirectory()
        let root = directory.file("archive")
        let body = #"{"app_name":"A","events":[{"event_uuid":"v-1","event_time":1773480000,"event_code":"MOE_EMAIL_SENT"}]}"#
        let bodies = directory.file("bodies.jsonl")
        try (body + "\n").write(toFile: bodies, atomically: true, encoding: .utf8)
        #expect(try ProcessRunner.archive(["ingest", "--root", root, "--input", bodies]).status == 0)
        #expect(try ProcessRunner.archive(["seal", "--root", root, "--grace", "0"]).status == 0)
        // Rewrite the sealed file with the event twice, and its manifest to match, as a seal that compared
        // escaped bytes left it.
        let sealed = try #require(directory.files(under: "archive/events") { $0.hasPrefix("sealed-") }.first)
        let line = try ProcessRunner.run("zcat", [sealed]).text
        let twice = line + line.replacingOccurrences(of: "\"v-1\"", with: #""v\u002d1""#)
        let rewritten = try ProcessRunner.run("gzip", ["-9", "-n", "-c"], input: Data(twice.utf8)).stdout
        try rewritten.write(to: URL(fileURLWithPath: sealed))
        let manifestPath = (sealed as NSString).deletingLastPathComponent + "/_MANIFEST.json"
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as! [String: Any]
        var file = (manifest["files"] as! [[String: Any]])[0]
        file["bytes"] = rewritten.count
        file["events"] = 2
        file["sha256"] = String(try ProcessRunner.run("sha256sum", [sealed]).text.prefix(64))
        manifest["files"] = [file]
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: manifestPath))
        let verify = try ProcessRunner.archive(["verify", "--root", root])
        #expect(verify.status == 2)
        #expect(verify.stderr.contains("holds event_uuid \"v-1\" more than once"), Comment(rawValue: verify.stderr))
    }

    @Test("report reads keys by their unescaped bytes, like every other reader: escaped event_uuid and campaign_id keys count")
    func reportMatchesEscapedKeys() throws {
        let directory = TestDirectory()
        let root = directory.file("archive")
        let event = #"{"event\u005fuuid":"ek-1","event_time":1773480000,"event_code":"MOE_EMAIL_SENT","event_type":"CAMPAIGN_EVENT","uid":"u1","event_attributes":{"campaign\u005fid":"CAMP-ESC","campaign_channel":"Email"}}"#
        let bodies = directory.file("bodies.jsonl")
        try (#"{"app_name":"A","events":[\#(event)]}"# + "\n").write(toFile: bodies, atomically: true, encoding: .utf8)
        #expect(try ProcessRunner.archive(["ingest", "--root", root, "--input", bodies]).status == 0)
        let report = try ProcessRunner.archive(["report", "--root", root, "--date", "2026-03-14"])
        #expect(report.status == 0, Comment(rawValue: report.stderr))
        let csv = try String(contentsOfFile: "\(root)/reports/date=2026-03-14/campaign_events.csv", encoding: .utf8)
        #expect(CSVRecords.parse(csv).dropFirst().map { $0[1] } == ["CAMP-ESC"])
    }

    @Test("an envelope with a repeated top-level key gets a 400 naming it, and nothing is stored")
    func repeatedEnvelopeKeyIsRefused() throws {
        let directory = TestDirectory()
        let server = try ServerProcess(root: directory.file("archive"))
        let body = Array(#"{"app_name":"A","events":[{"event_uuid":"a","event_time":1773480000,"event_code":"MOE_EMAIL_SENT"}],"events":[]}"#.utf8)
        let reply = try server.post(body)
        #expect(reply.status == 400 && String(decoding: reply.body, as: UTF8.self).contains(#"key \"events\" more than once"#))
        #expect(server.stop() == 0)
        #expect(directory.files(under: "archive/events").isEmpty)
    }
}

