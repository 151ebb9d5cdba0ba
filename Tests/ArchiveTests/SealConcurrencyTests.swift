import Foundation
import Testing

/// Readers (report, timelines, verify) running while `seal` replaces the hours they read, and the nightly run
/// overlapping the hourly seal job, as cron makes them overlap: each hour is seen before or after its seal.
@Suite("readers beside a running seal", .serialized)
struct SealConcurrencyTests {
    static let date = GeneratedDay.date

    /// A raw (unsealed) day, and what report and timelines make of it with nothing else running.
    struct Baseline {
        let archive: RawArchive
        let events: Int
        let timelineEvents: Int
        /// How long a seal of the day takes here, so readers can be started inside one.
        let sealMicroseconds: UInt64

        init(_ name: String = #function) throws {
            archive = try RawArchive(events: 6000, name)
            let scratch = archive.directory.file("baseline")
            try FileManager.default.copyItem(atPath: archive.root, toPath: scratch)
            #expect(try ProcessRunner.archive(["report", "--root", scratch, "--date", SealConcurrencyTests.date]).status == 0)
            #expect(try ProcessRunner.archive(["timelines", "--root", scratch, "--date", SealConcurrencyTests.date]).status == 0)
            events = try SealConcurrencyTests.reportEvents(scratch)
            timelineEvents = try SealConcurrencyTests.timelineEvents(scratch)
            let started = Date()
            let seal = try SealConcurrencyTests.startSeal(scratch)
            seal.waitUntilExit()
            sealMicroseconds = UInt64(Date().timeIntervalSince(started) * 1_000_000)
        }

        /// A fresh unsealed copy of the day for one round.
        func copy(_ round: Int) throws -> String {
            let root = archive.directory.file("round-\(round)")
            try FileManager.default.copyItem(atPath: archive.root, toPath: root)
            return root
        }
    }

    static func reportEvents(_ root: String) throws -> Int {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(root)/reports/date=\(date)/report.json"))) as! NSDictionary
        #expect((json["damage"] as! [Any]).isEmpty, "no damage reported: \(json["damage"]!)")
        return (json["totals"] as! NSDictionary)["events"] as! Int
    }

    static func timelineEvents(_ root: String) throws -> Int {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(root)/timelines/date=\(date)/_INDEX.json"))) as! NSDictionary
        return (json["totals"] as? NSDictionary)?["events"] as? Int ?? json["events"] as! Int
    }

    /// Starts `seal --grace 0` on `root` and returns it running.
    static func startSeal(_ root: String) throws -> Process {
        let seal = Process()
        seal.executableURL = URL(fileURLWithPath: ProcessRunner.streamsArchive)
        seal.arguments = ["seal", "--root", root, "--grace", "0", "--workers", "1"]
        seal.standardError = FileHandle.nullDevice
        try seal.run()
        return seal
    }

    @Test("report, timelines and verify started at random moments of a running seal count every event once and find no damage")
    func readersDuringSeal() throws {
        let baseline = try Baseline()
        var random = TestRandom(seed: 12)
        for round in 0..<6 {
            let root = try baseline.copy(round)
            let seal = try Self.startSeal(root)
            usleep(UInt32(random.next() % max(1, baseline.sealMicroseconds * 9 / 10)))
            let reader = ["report", "timelines", "verify"][round % 3]
            let run = try ProcessRunner.archive([reader, "--root", root] + (reader == "verify" ? [] : ["--date", Self.date]))
            seal.waitUntilExit()
            #expect(seal.terminationStatus == 0, "round \(round): seal")
            #expect(run.status == 0, "round \(round): \(reader) beside seal: \(run.stderr.suffix(2000))")
            switch reader {
            case "report": #expect(try Self.reportEvents(root) == baseline.events, "round \(round)")
            case "timelines": #expect(try Self.timelineEvents(root) == baseline.timelineEvents, "round \(round)")
            default: #expect(run.stderr.contains("no problems"), "round \(round): \(run.stderr)")
            }
        }
    }

    @Test("nightly started while the hourly seal holds the seal lock waits for it, then seals, reports and verifies cleanly")
    func nightlyWaitsForHourlySeal() throws {
        let archive = try RawArchive(events: 1000)
        let holder = try ProcessRunner.holdLock("\(archive.root)/_seal.lock", seconds: 2)
        let nightly = try ProcessRunner.archive(["nightly", "--root", archive.root, "--date", Self.date, "--grace", "0"])
        holder.waitUntilExit()
        #expect(nightly.status == 0, Comment(rawValue: nightly.stderr))
        #expect(nightly.stderr.contains("seal: ") && !nightly.stderr.contains("FAILED"), Comment(rawValue: nightly.stderr))
        #expect(archive.directory.files(under: "archive/events") { $0.hasPrefix("part-") }.isEmpty, "every hour sealed")
        #expect(FileManager.default.fileExists(atPath: "\(archive.root)/reports/date=\(Self.date)/_SUCCESS"))
    }
}
