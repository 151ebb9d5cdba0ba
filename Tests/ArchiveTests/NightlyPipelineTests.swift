import Foundation
import Testing

/// A generated day sent through a real receiver, then the cron job run as cron runs it.
struct ReceivedDay {
    let directory: TestDirectory
    let events: [NSDictionary]
    var root: String { directory.file("archive") }

    init(events count: Int = 5000, _ name: String = #function) throws {
        directory = TestDirectory(name)
        let bodies = directory.file("day.jsonl")
        let generated = try ProcessRunner.archive(["generate", "--events", "\(count)", "--seed", "21", "--date", GeneratedDay.date, "--out", bodies])
        try #require(generated.status == 0)
        let server = try ServerProcess(root: directory.file("archive"))
        let replay = try ProcessRunner.archive(["replay", "--url", "http://127.0.0.1:\(server.port)/streams", "--input", bodies, "--concurrency", "4"])
        try #require(replay.status == 0, Comment(rawValue: replay.stderr))
        try #require(server.stop() == 0)
        events = try Expectations.events(inBodiesFile: bodies)
    }

    /// `Jobs/nightly.sh` under cron's bare environment, from `/`.
    /// `STREAMS_BIN` names the binary under test unless `findBinary`, which leaves the script to find it.
    func nightly(findBinary: Bool = false) throws -> ProcessRunner.Output {
        var environment = ["PATH": "/usr/bin:/bin", "STREAMS_ROOT": root, "STREAMS_DATE": GeneratedDay.date]
        if !findBinary { environment["STREAMS_BIN"] = ProcessRunner.streamsArchive }
        let command = environment.map { "\($0.key)='\($0.value)'" }.sorted().joined(separator: " ")
        return try ProcessRunner.run("/bin/sh", ["-c", "cd / && exec env -i \(command) '\(NightlyPipelineTests.jobs)/nightly.sh'"])
    }

    var log: String { (try? String(contentsOfFile: "\(root)/_logs/nightly.log", encoding: .utf8)) ?? "" }

    /// Every file under the root except logs, metrics and locks, with size and modification time: what "changes nothing" compares.
    func snapshot() throws -> [String: String] {
        var result: [String: String] = [:]
        for file in directory.files(under: "archive") where !file.contains("/_logs/") && !file.contains("/_metrics/") && !file.hasSuffix(".lock") {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            result[file] = "\(attributes[.size]!) \((attributes[.modificationDate] as! Date).timeIntervalSince1970)"
        }
        return result
    }
}

@Suite("nightly pipeline", .serialized)
struct NightlyPipelineTests {
    static let jobs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Jobs").path

    @Test("Jobs/nightly.sh from / in cron's bare environment seals every hour, reports both days exactly, and a second run changes nothing")
    func nightlyUnderCron() throws {
        let day = try ReceivedDay()
        let run = try day.nightly(findBinary: true)
        #expect(run.status == 0, Comment(rawValue: day.log))
        #expect(day.log.contains("nightly: start: /"), "the script found the package's built binary by itself")
        let partitions = day.directory.files(under: "archive/events").map { ($0 as NSString).deletingLastPathComponent }
        var uuids: [String] = []
        for partition in Set(partitions) {
            let names = try FileManager.default.contentsOfDirectory(atPath: partition).sorted()
            #expect(names.count == 3 && names[0] == "_MANIFEST.json" && names[1] == "_SUCCESS" && names[2].hasPrefix("sealed-"), "\(partition): \(names)")
            for line in try ProcessRunner.run("zcat", ["\(partition)/\(names[2])"]).text.split(separator: "\n") {
                uuids.append((try JSONSerialization.jsonObject(with: Data(line.utf8)) as! NSDictionary)["event_uuid"] as! String)
            }
        }
        #expect(uuids.count == Set(uuids).count, "each event once")
        #expect(Set(uuids) == Set(day.events.map { $0["event_uuid"] as! String }))
        for date in [GeneratedDay.date, GeneratedDay.previousDate] {
            let csv = try Data(contentsOf: URL(fileURLWithPath: "\(day.root)/reports/date=\(date)/campaign_events.csv"))
            #expect(csv == Data(ExpectedReport(events: day.events, date: date).campaignEventsCSV), "\(date)")
        }
        for step in ["seal:", "report \(GeneratedDay.date):", "timelines \(GeneratedDay.date):", "verify \(GeneratedDay.date):"] {
            #expect(day.log.contains(step), "\(step)")
        }
        let before = try day.snapshot()
        #expect(try day.nightly().status == 0)
        #expect(try day.snapshot() == before)
        #expect(day.log.contains("nothing changed since the last run"))
    }

    @Test("an event sent after its hour was sealed appears in the next run's report, and its hour is sealed again")
    func lateEventAfterSealing() throws {
        let day = try ReceivedDay(events: 2000)
        #expect(try day.nightly().status == 0)
        let late = Bodies.event(uuid: "late-after-seal", time: 1_795_748_400, code: "MOE_EMAIL_CLICK", extra: ["uid": "late-user"])  // 03:00 on the day
        let server = try ServerProcess(root: day.root)
        #expect(try server.post(Bodies.body([late])).status == 200)
        #expect(server.stop() == 0)
        #expect(try day.nightly().status == 0, Comment(rawValue: day.log))
        let csv = try Data(contentsOf: URL(fileURLWithPath: "\(day.root)/reports/date=\(GeneratedDay.date)/campaign_events.csv"))
        #expect(csv == Data(ExpectedReport(events: day.events + [late as NSDictionary], date: GeneratedDay.date).campaignEventsCSV))
        let hour = "\(day.root)/events/date=\(GeneratedDay.date)/channel=email/hour=03"
        let names = try FileManager.default.contentsOfDirectory(atPath: hour).filter { $0.hasSuffix(".jsonl.gz") }
        #expect(names.count == 1 && names[0].hasPrefix("sealed-"))
        #expect(try ProcessRunner.run("zcat", ["\(hour)/\(names[0])"]).text.contains("late-after-seal"))
    }

    @Test("verify passes on a sealed archive, then fails with exit 2 and names the file after one byte of it is flipped")
    func verifyFindsAFlippedByte() throws {
        let day = try ReceivedDay(events: 1500)
        #expect(try day.nightly().status == 0)
        #expect(try ProcessRunner.archive(["verify", "--root", day.root]).status == 0)
        let sealed = try #require(day.directory.files(under: "archive/events/date=\(GeneratedDay.date)") { $0.hasPrefix("sealed-") }.first)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: sealed))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: sealed))
        let verify = try ProcessRunner.archive(["verify", "--root", day.root])
        #expect(verify.status == 2)
        #expect(verify.stderr.contains(sealed) && verify.stderr.contains("sha256"), Comment(rawValue: verify.stderr))
        #expect(try day.nightly().status == 2, "the nightly run's verify step alerts too")
    }

    /// `streams-archive nightly` for `date` on the day's root; its log lines are on stderr.
    static func nightly(_ day: ReceivedDay, date: String) throws -> ProcessRunner.Output {
        try ProcessRunner.archive(["nightly", "--root", day.root, "--date", date])
    }

    @Test("a date left incomplete by damage is rebuilt and verified again by every later run until it is whole")
    func incompleteDateIsCaughtUp() throws {
        let day = try ReceivedDay(events: 800)
        let file = try #require(day.directory.files(under: "archive/events/date=\(GeneratedDay.date)") { $0.hasSuffix(".jsonl.gz") }.first)
        let original = try Data(contentsOf: URL(fileURLWithPath: file))
        try ReportDamageTests.append(Data([0x1F, 0x8B, 0x08, 0x00, 0x00]), to: file)
        let first = try Self.nightly(day, date: GeneratedDay.date)
        #expect(first.status != 0)
        #expect(FileManager.default.fileExists(atPath: "\(day.root)/reports/date=\(GeneratedDay.date)/_INCOMPLETE"))

        let next = try Self.nightly(day, date: "2026-11-28")
        #expect(next.status != 0, "the damage is found again")
        #expect(next.stderr.contains("report \(GeneratedDay.date):") && next.stderr.contains("verify \(GeneratedDay.date):"), Comment(rawValue: next.stderr))

        try original.write(to: URL(fileURLWithPath: file))
        let repaired = try Self.nightly(day, date: "2026-11-28")
        #expect(repaired.status == 0, Comment(rawValue: repaired.stderr))
        #expect(FileManager.default.fileExists(atPath: "\(day.root)/reports/date=\(GeneratedDay.date)/_SUCCESS"))
        let settled = try Self.nightly(day, date: "2026-11-28")
        #expect(!settled.stderr.contains("report \(GeneratedDay.date):"), "a whole date is not rebuilt again")
    }

    @Test("an input rewritten in place to the same size, its mtime put back, is noticed: the date is rebuilt and verified")
    func sameSizeRewriteIsNoticed() throws {
        let day = try ReceivedDay(events: 800)
        #expect(try Self.nightly(day, date: GeneratedDay.date).status == 0)
        let sealed = try #require(day.directory.files(under: "archive/events/date=\(GeneratedDay.date)") { ($0 as NSString).lastPathComponent.hasPrefix("sealed-") }.first)
        let modified = try #require(try FileManager.default.attributesOfItem(atPath: sealed)[.modificationDate] as? Date)
        let size = try Data(contentsOf: URL(fileURLWithPath: sealed)).count
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: sealed))
        try handle.seek(toOffset: UInt64(size / 2))
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: UInt64(size / 2))
        try handle.write(contentsOf: Data([byte ^ 0x40]))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: sealed)
        #expect(try Data(contentsOf: URL(fileURLWithPath: sealed)).count == size)

        let next = try Self.nightly(day, date: "2026-11-28")
        #expect(next.stderr.contains("report \(GeneratedDay.date):") && next.stderr.contains("verify \(GeneratedDay.date):"), Comment(rawValue: next.stderr))
        #expect(next.status == 2, "the rewritten file is found damaged")
    }

    @Test("a second nightly run started while one holds the lock is refused with exit 75 and a clear message")
    func secondRunIsRefused() throws {
        let day = try ReceivedDay(events: 500)
        let holder = try ProcessRunner.holdLock("\(day.root)/_nightly.lock", seconds: 4)
        defer {
            holder.terminate()
            holder.waitUntilExit()
        }
        let second = try day.nightly()
        #expect(second.status == 75)
        #expect(day.log.contains("another nightly run holds _nightly.lock"))
    }

    @Test("the job refuses to start without STREAMS_ROOT and says how to fix it")
    func jobNeedsItsRoot() throws {
        let run = try ProcessRunner.run("/bin/sh", ["-c", "cd / && exec env -i PATH=/usr/bin:/bin '\(Self.jobs)/nightly.sh'"])
        #expect(run.status == 64 && run.stderr.contains("STREAMS_ROOT is not set"))
    }
}
