import Foundation
import Testing

/// A generated day plus hand-made users: one with thousands of events over two days (sent twice, as a retry
/// would), one with a single event, and uids that differ only in Unicode normalization.
struct TimelineDay {
    static let whale = "whale \"big\", spender"
    static let single = "only-once"
    static let precomposed = "Jos\u{E9} 🚀"
    static let decomposed = "Jose\u{301} 🚀"
    static let dayStart = 1_795_737_600  // 2026-11-27T00:00:00Z

    let day: GeneratedDay
    let events: [NSDictionary]

    init(_ name: String = #function) throws {
        day = try GeneratedDay(events: 4000, seed: 3, name)
        var extra: [[String: Any]] = []
        for index in 0..<3000 {
            let time = Self.dayStart - 7200 + index * 25  // from 22:00 the day before into the day
            extra.append(Bodies.event(uuid: "whale-\(index)", time: time, code: index % 2 == 0 ? "MOE_EMAIL_SENT" : "MOE_EMAIL_OPEN", extra: ["uid": Self.whale]))
        }
        extra.append(Bodies.event(uuid: "single-1", time: Self.dayStart + 3600, extra: ["uid": Self.single]))
        extra.append(Bodies.event(uuid: "nfc-1", time: Self.dayStart + 60, extra: ["uid": Self.precomposed]))
        extra.append(Bodies.event(uuid: "nfd-1", time: Self.dayStart + 60, extra: ["uid": Self.decomposed]))
        extra.append(Bodies.event(uuid: "nfd-0", time: Self.dayStart + 60, extra: ["uid": Self.decomposed]))
        let batches = stride(from: 0, to: extra.count, by: 100).map { Array(extra[$0..<min($0 + 100, extra.count)]) }
        let lines = try (batches + batches.prefix(5)).map { events in
            String(decoding: try JSONSerialization.data(withJSONObject: ["app_name": "Acme", "moe_request_id": "r", "events": events]), as: UTF8.self)
        }
        let bodies = day.directory.file("extra.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(toFile: bodies, atomically: true, encoding: .utf8)
        let ingested = try ProcessRunner.archive(["ingest", "--root", day.root, "--input", bodies])
        try #require(ingested.status == 0, Comment(rawValue: ingested.stderr))
        events = day.events + (try Expectations.events(inBodiesFile: bodies))
    }

    /// Each uid's event_uuids on `dates`, each once, in (event_time, event_uuid) byte order — from the bodies.
    func expected(dates: Set<String>) -> [[UInt8]: [String]] {
        var seen = Set<String>()
        var byUID: [[UInt8]: [(time: Int, uuid: String)]] = [:]
        for event in events {
            let uuid = event["event_uuid"] as! String
            guard let uid = event["uid"] as? String, seen.insert(uuid).inserted, dates.contains(ExpectedReport.day(of: event)) else { continue }
            byUID[Array(uid.utf8), default: []].append((event["event_time"] as! Int, uuid))
        }
        return byUID.mapValues { list in
            list.sorted { $0.time != $1.time ? $0.time < $1.time : Array($0.uuid.utf8).lexicographicallyPrecedes(Array($1.uuid.utf8)) }.map(\.uuid)
        }
    }

    func build(_ date: String) throws {
        let run = try ProcessRunner.archive(["timelines", "--root", day.root, "--date", date])
        try #require(run.status == 0, Comment(rawValue: run.stderr))
    }

    func lookup(_ uid: String, _ extra: [String] = []) throws -> ProcessRunner.Output {
        try ProcessRunner.archive(["timeline", "--root", day.root, "--uid", uid] + extra)
    }

    static func uuids(_ output: ProcessRunner.Output) throws -> [String] {
        try output.text.split(separator: "\n").map { try (JSONSerialization.jsonObject(with: Data($0.utf8)) as! NSDictionary)["event_uuid"] as! String }
    }
}

@Suite("per-user timelines")
struct TimelineTests {
    @Test("the day's buckets hold every uid's events, each once, in (event_time, event_uuid) order, and the index counts them")
    func bucketsHoldEveryUser() throws {
        let fixture = try TimelineDay()
        try fixture.build(GeneratedDay.date)
        let directory = "\(fixture.day.root)/timelines/date=\(GeneratedDay.date)"
        var found: [[UInt8]: [String]] = [:]
        let parts = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".jsonl.gz") }.sorted()
        for part in parts {
            for line in try ProcessRunner.run("zcat", ["\(directory)/\(part)"]).text.split(separator: "\n") {
                let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! NSDictionary
                found[Array((event["uid"] as! String).utf8), default: []].append(event["event_uuid"] as! String)
            }
        }
        let expected = fixture.expected(dates: [GeneratedDay.date])
        #expect(found == expected)
        #expect(expected[Array(TimelineDay.whale.utf8)]!.count > 2000)
        var indexed: [[UInt8]: Int] = [:]
        for index in try FileManager.default.contentsOfDirectory(atPath: directory).filter({ $0.hasSuffix(".index.jsonl") }) {
            for line in try String(contentsOfFile: "\(directory)/\(index)", encoding: .utf8).split(separator: "\n") {
                let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! NSDictionary
                indexed[Array((entry["uid"] as! String).utf8)] = entry["events"] as? Int
            }
        }
        #expect(indexed == expected.mapValues(\.count))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(directory)/_INDEX.json"))) as! NSDictionary
        #expect(manifest["events"] as? Int == expected.values.map(\.count).reduce(0, +) && manifest["complete"] as? Bool == true)
        #expect((manifest["duplicates_dropped"] as! Int) > 0)
    }

    @Test("timeline prints a user's events across days, oldest first, exactly as stored; a user with one event too")
    func lookupSpansDays() throws {
        let fixture = try TimelineDay()
        try fixture.build(GeneratedDay.previousDate)
        try fixture.build(GeneratedDay.date)
        let expected = fixture.expected(dates: [GeneratedDay.previousDate, GeneratedDay.date])
        let whale = try fixture.lookup(TimelineDay.whale, ["--from", GeneratedDay.previousDate, "--to", GeneratedDay.date])
        #expect(whale.status == 0 && !whale.stderr.contains("no built timelines"), Comment(rawValue: whale.stderr))
        #expect(try TimelineDay.uuids(whale) == expected[Array(TimelineDay.whale.utf8)])
        let original = Dictionary(fixture.events.map { ($0["event_uuid"] as! String, $0) }, uniquingKeysWith: { first, _ in first })
        for line in whale.text.split(separator: "\n").prefix(50) {
            let stored = (try JSONSerialization.jsonObject(with: Data(line.utf8)) as! NSDictionary).mutableCopy() as! NSMutableDictionary
            #expect(stored["app_name"] as? String == "Acme" && stored["received_at"] is Int)
            stored.removeObjects(forKeys: ["app_name", "moe_request_id", "received_at"])
            #expect(stored == original[stored["event_uuid"] as! String])
        }
        #expect(try TimelineDay.uuids(try fixture.lookup(TimelineDay.single)) == ["single-1"])
        #expect(try TimelineDay.uuids(try fixture.lookup(TimelineDay.whale, ["--to", GeneratedDay.previousDate])) == expected[Array(TimelineDay.whale.utf8)]!.filter { Int($0.dropFirst(6))! < 288 })
        for uid in expected.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }).prefix(25) {
            #expect(try TimelineDay.uuids(try fixture.lookup(String(decoding: uid, as: UTF8.self))) == expected[uid])
        }
    }

    @Test("a lookup opens one bucket's index and data file per day, and no raw partition (strace)")
    func lookupReadsOneBucketPerDay() throws {
        let fixture = try TimelineDay()
        try fixture.build(GeneratedDay.previousDate)
        try fixture.build(GeneratedDay.date)
        let trace = fixture.day.directory.file("trace.txt")
        let run = try ProcessRunner.run(
            "strace", ["-f", "-e", "trace=openat", "-o", trace, ProcessRunner.streamsArchive, "timeline", "--root", fixture.day.root, "--uid", TimelineDay.whale]
        )
        #expect(run.status == 0 && !run.stdout.isEmpty)
        let opened = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").filter { !$0.contains("ENOENT") }
        for date in [GeneratedDay.previousDate, GeneratedDay.date] {
            #expect(opened.filter { $0.contains("date=\(date)/part-") && $0.contains(".jsonl.gz\"") }.count == 1, "\(date)")
            #expect(opened.filter { $0.contains("date=\(date)/part-") && $0.contains(".index.jsonl\"") }.count == 1, "\(date)")
        }
        #expect(!opened.contains { $0.contains("/events/date=") && $0.contains(".jsonl.gz") })
    }

    @Test("uids that differ only in Unicode normalization are two users")
    func unicodeUIDsAreBytes() throws {
        let fixture = try TimelineDay()
        try fixture.build(GeneratedDay.date)
        #expect(try TimelineDay.uuids(try fixture.lookup(TimelineDay.precomposed)) == ["nfc-1"])
        #expect(try TimelineDay.uuids(try fixture.lookup(TimelineDay.decomposed)) == ["nfd-0", "nfd-1"])
    }

    @Test("a day without built timelines is read from its raw partitions, says so on stderr, and gives the same answer")
    func rawFallback() throws {
        let fixture = try TimelineDay()
        let raw = try fixture.lookup(TimelineDay.whale, ["--from", GeneratedDay.date, "--to", GeneratedDay.date])
        #expect(raw.status == 0 && raw.stderr.contains("\(GeneratedDay.date) has no built timelines"))
        try fixture.build(GeneratedDay.date)
        let built = try fixture.lookup(TimelineDay.whale, ["--from", GeneratedDay.date, "--to", GeneratedDay.date])
        #expect(!built.stderr.contains("no built timelines"))
        #expect(raw.stdout == built.stdout && !built.stdout.isEmpty)
    }

    @Test("--format table shows time (UTC), channel, event name and campaign")
    func tableFormat() throws {
        let fixture = try TimelineDay()
        try fixture.build(GeneratedDay.date)
        let table = try fixture.lookup(TimelineDay.single, ["--format", "table"])
        let rows = table.text.split(separator: "\n").map(String.init)
        #expect(rows.count == 2 && rows[0].hasPrefix("time (UTC)"))
        #expect(rows[1].hasPrefix("2026-11-27 01:00:00  email") && rows[1].contains("Email Sent") && rows[1].hasSuffix("Spring, \"big\" sale ☀"))
    }

    @Test("an unknown uid prints nothing and exits 0; a malformed date or a reversed range is a usage error")
    func unknownUIDAndBadDates() throws {
        let fixture = try TimelineDay()
        try fixture.build(GeneratedDay.date)
        let unknown = try fixture.lookup("nobody-at-all")
        #expect(unknown.status == 0 && unknown.stdout.isEmpty)
        let badDate = try fixture.lookup(TimelineDay.single, ["--from", "2026-02-30"])
        #expect(badDate.status == 64 && badDate.stderr.contains("from"))
        let reversed = try fixture.lookup(TimelineDay.single, ["--from", GeneratedDay.date, "--to", GeneratedDay.previousDate])
        #expect(reversed.status == 64 && reversed.stderr.contains("after"))
    }

    @Test("a rebuild publishes a new version atomically and removes the old one and any interrupted build's leftovers")
    func rebuildReplacesTheDay() throws {
        let fixture = try TimelineDay()
        try fixture.build(GeneratedDay.date)
        let parent = "\(fixture.day.root)/timelines"
        let link = "\(parent)/date=\(GeneratedDay.date)"
        let first = try FileManager.default.destinationOfSymbolicLink(atPath: link)
        try FileManager.default.createDirectory(atPath: "\(parent)/.date=\(GeneratedDay.date).v1-1/.spill", withIntermediateDirectories: true)
        let before = try fixture.lookup(TimelineDay.whale)
        try fixture.build(GeneratedDay.date)
        let second = try FileManager.default.destinationOfSymbolicLink(atPath: link)
        #expect(first != second)
        let versions = try FileManager.default.contentsOfDirectory(atPath: parent).filter { $0.hasPrefix(".date=\(GeneratedDay.date).v") }
        #expect(versions == [second])
        #expect(try fixture.lookup(TimelineDay.whale).stdout == before.stdout)
    }

    /// Every file of a published version, by name.
    static func versionFiles(_ root: String, _ version: String) throws -> [String: Data] {
        let directory = "\(root)/timelines/\(version)"
        return try Dictionary(uniqueKeysWithValues: FileManager.default.contentsOfDirectory(atPath: directory).map {
            ($0, try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\($0)")))
        })
    }

    /// Kill points across a rebuild: making the version, writing and fsyncing its buckets, making the new link,
    /// the index's rename (1st), renaming the link over the old one (2nd: publishing), and removing files.
    /// strace counts each thread's calls on its own, and a worker's bucket fsyncs run on a thread of the worker's; with
    /// more than one worker, which thread makes the 20th fsync depends on how the buckets fell, so the rebuild has one.
    @Test(
        "kill -9 at chosen points of a rebuild: the published version stays in view byte for byte until a complete one replaces it; a re-run completes it",
        arguments: [("mkdir", 1), ("write", 3), ("write", 20), ("fsync", 1), ("fsync", 20), ("symlink", 1), ("rename", 1), ("rename", 2), ("unlink", 1)]
    )
    func killedRebuild(syscall: String, occurrence: Int) throws {
        let fixture = try TimelineDay()
        try fixture.build(GeneratedDay.date)
        let link = "\(fixture.day.root)/timelines/date=\(GeneratedDay.date)"
        let published = try FileManager.default.destinationOfSymbolicLink(atPath: link)
        let publishedFiles = try Self.versionFiles(fixture.day.root, published)
        let expected = fixture.expected(dates: [GeneratedDay.date])

        let names = [
            "mkdir": "mkdir,mkdirat", "write": "write,pwrite64", "fsync": "fsync,fdatasync", "symlink": "symlink,symlinkat",
            "rename": "rename,renameat,renameat2", "unlink": "unlink,unlinkat,rmdir",
        ][syscall]!
        let killed = try ProcessRunner.run(
            "strace", ["-f", "-qq", "-o", "/dev/null", "-e", "inject=\(names):signal=KILL:when=\(occurrence)", ProcessRunner.streamsArchive,
                       "timelines", "--root", fixture.day.root, "--date", GeneratedDay.date, "--workers", "1"]
        )
        #expect(killed.status == SIGKILL, "the rebuild was killed at the \(occurrence). \(syscall) (status \(killed.status))")

        let inView = try FileManager.default.destinationOfSymbolicLink(atPath: link)
        if inView == published {
            #expect(try Self.versionFiles(fixture.day.root, published) == publishedFiles, "the published version's bytes are untouched")
        } else {
            #expect(FileManager.default.fileExists(atPath: "\(fixture.day.root)/timelines/\(inView)/_INDEX.json"), "a newly published version is complete")
        }
        #expect(try TimelineDay.uuids(try fixture.lookup(TimelineDay.whale, ["--from", GeneratedDay.date])) == expected[Array(TimelineDay.whale.utf8)])

        try fixture.build(GeneratedDay.date)
        #expect(try TimelineDay.uuids(try fixture.lookup(TimelineDay.whale, ["--from", GeneratedDay.date])) == expected[Array(TimelineDay.whale.utf8)])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: "\(fixture.day.root)/timelines").filter { $0.hasPrefix(".date=") && !$0.hasSuffix(".lock") }
        #expect(leftovers.count == 1, "\(leftovers)")
    }
}
