import Foundation
import Logging
import StreamsArchive
import Testing

/// A small raw archive archived with `ingest`, retried bodies stored twice.
struct RawArchive {
    let directory: TestDirectory
    let uuids: Set<String>
    var root: String { directory.file("archive") }

    init(events: Int = 300, date: String = GeneratedDay.date, _ name: String = #function) throws {
        directory = TestDirectory(name)
        let bodies = directory.file("bodies.jsonl")
        #expect(try ProcessRunner.archive(["generate", "--events", "\(events)", "--seed", "9", "--date", date, "--out", bodies]).status == 0)
        #expect(try ProcessRunner.archive(["ingest", "--root", directory.file("archive"), "--input", bodies]).status == 0)
        uuids = Set(try Expectations.events(inBodiesFile: bodies).map { $0["event_uuid"] as! String })
    }

    func seal(_ extra: [String] = []) throws -> ProcessRunner.Output {
        try ProcessRunner.archive(["seal", "--root", root] + extra)
    }

    /// Every stored event_uuid, read with zcat from the files readers see.
    func storedUUIDs() throws -> [String] {
        let files = directory.files(under: "archive/events") { $0.hasSuffix(".jsonl.gz") && !$0.hasPrefix("_") }
        return try ProcessRunner.run("zcat", files).text.split(separator: "\n").map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! NSDictionary)["event_uuid"] as! String
        }
    }
}

@Suite("seal")
struct SealTests {
    @Test("sealing keeps each event once, sorted by event_time, in one file of gzip members per hour with a manifest sha256sum agrees with")
    func sealsEveryHour() throws {
        let archive = try RawArchive()
        let run = try archive.seal()
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        let stored = try archive.storedUUIDs()
        #expect(stored.count == archive.uuids.count && Set(stored) == archive.uuids)
        let hour = try #require(archive.directory.files(under: "archive/events") { $0 == "_MANIFEST.json" }.first)
        let partition = (hour as NSString).deletingLastPathComponent
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: hour))) as! NSDictionary
        let file = (manifest["files"] as! [NSDictionary])[0]
        let sealed = "\(partition)/\(file["name"] as! String)"
        #expect(try ProcessRunner.run("sha256sum", [sealed]).text.hasPrefix(file["sha256"] as! String))
        #expect(try ProcessRunner.run("gzip", ["-t", sealed]).status == 0)
        let times = try ProcessRunner.run("zcat", [sealed]).text.split(separator: "\n").map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! NSDictionary)["event_time"] as! Int
        }
        #expect(times == times.sorted() && times.count == file["events"] as! Int)
        #expect(try ProcessRunner.archive(["verify", "--root", archive.root]).status == 0)
        let again = try archive.seal()
        #expect(again.stderr.contains("0 hours sealed"))
    }

    @Test("a root's id (made by its first seal, or written beforehand by the operator) names every sealed file it makes")
    func sealedFilesCarryTheRootID() throws {
        let archive = try RawArchive()
        try "receiver-a\n".write(toFile: "\(archive.root)/_root-id", atomically: true, encoding: .utf8)
        #expect(try archive.seal().status == 0)
        let sealed = archive.directory.files(under: "archive/events") { $0.hasSuffix(".jsonl.gz") }.map { ($0 as NSString).lastPathComponent }
        #expect(!sealed.isEmpty && sealed.allSatisfy { $0.range(of: #"^sealed-receiver-a-[0-9]{13}\.jsonl\.gz$"#, options: .regularExpression) != nil }, "\(sealed.prefix(3))")

        let fresh = try RawArchive(events: 50, "sealedFilesCarryTheRootID-made")
        #expect(try fresh.seal().status == 0)
        let made = try String(contentsOfFile: "\(fresh.root)/_root-id", encoding: .utf8)
        #expect(made.range(of: #"^[a-z0-9-]+-[0-9a-f]{8}\n$"#, options: .regularExpression) != nil, "\(made)")
    }

    @Test("a _root-id that is not a root id stops seal with exit 1 and a message saying what to write; nothing is sealed")
    func badRootIDIsRefused() throws {
        let archive = try RawArchive()
        try "Receiver A/1\n".write(toFile: "\(archive.root)/_root-id", atomically: true, encoding: .utf8)
        let run = try archive.seal()
        #expect(run.status == 1)
        #expect(run.stderr.contains("_root-id") && run.stderr.contains("a-z, 0-9 and '-'"), Comment(rawValue: run.stderr))
        #expect(archive.directory.files(under: "archive/events") { $0.hasPrefix("sealed-") }.isEmpty)
    }

    /// Kill points: the n-th rename (temporary manifest, sealed file, _SUCCESS), unlink (sources, old _SUCCESS) and fsync.
    @Test(
        "kill -9 of seal at each of its steps, then a re-run: every hour sealed, each event once, verify clean",
        arguments: [("rename", 1), ("rename", 2), ("rename", 3), ("rename", 5), ("unlink", 1), ("unlink", 2), ("fsync", 1), ("fsync", 3)]
    )
    func killedAtEveryStep(syscall: String, occurrence: Int) throws {
        let archive = try RawArchive(events: 200)
        let names = syscall == "rename" ? "rename,renameat,renameat2" : syscall == "unlink" ? "unlink,unlinkat" : "fsync,fdatasync"
        let killed = try ProcessRunner.run(
            "strace", ["-f", "-o", "/dev/null", "-e", "inject=\(names):signal=KILL:when=\(occurrence)", ProcessRunner.streamsArchive, "seal", "--root", archive.root, "--workers", "1"]
        )
        #expect(killed.status != 0, "seal was killed")
        let visible = try archive.storedUUIDs()
        #expect(Set(visible) == archive.uuids, "after the kill nothing is lost from what readers see")
        #expect(try archive.seal().status == 0)
        let stored = try archive.storedUUIDs()
        #expect(stored.count == archive.uuids.count && Set(stored) == archive.uuids)
        #expect(archive.directory.files(under: "archive/events") { $0.hasPrefix("_sealing-") }.isEmpty)
        let verify = try ProcessRunner.archive(["verify", "--root", archive.root])
        #expect(verify.status == 0, Comment(rawValue: verify.stderr))
        let partitions = Set(archive.directory.files(under: "archive/events").map { ($0 as NSString).deletingLastPathComponent })
        for partition in partitions {
            let names = try FileManager.default.contentsOfDirectory(atPath: partition).sorted()
            #expect(names.count == 3 && names[0] == "_MANIFEST.json" && names[1] == "_SUCCESS", "\(partition): \(names)")
        }
    }

    @Test("hours still within the grace period, and hours a live receiver is writing into, are left alone")
    func graceAndLiveWriters() throws {
        let fixture = try ArchiveFixture()
        let now = Int64(Date().timeIntervalSince1970)
        let recent = PartitionKey(eventTime: now - 60, channel: .email)
        let old = PartitionKey(eventTime: now - 3 * 86_400, channel: .sms)
        let live = PartitionKey(eventTime: now - 2 * 86_400, channel: .push)
        for (index, key) in [recent, old].enumerated() {
            fixture.writer.stage(Array(#"{"event_uuid":"u\#(index)","event_time":\#(key.hourEndsAt.secondsSinceEpoch - 10)}"#.utf8), in: .events(key))
        }
        try fixture.writer.commit(now: .epochSeconds(now))
        try fixture.writer.finishAll()
        fixture.writer.stage(Array(#"{"event_uuid":"u-live","event_time":\#(live.hourEndsAt.secondsSinceEpoch - 10)}"#.utf8), in: .events(live))
        try fixture.writer.commit(now: .epochSeconds(now))
        let run = try ProcessRunner.archive(["seal", "--root", fixture.layout.root])
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        #expect(FileManager.default.fileExists(atPath: "\(fixture.layout.root)/\(old.relativePath)/_SUCCESS"))
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.layout.root)/\(recent.relativePath)/_SUCCESS"))
        #expect(run.stderr.contains("1 hours sealed") && run.stderr.contains("1 still being written"))
    }

    @Test("an hour whose commit fails (its _SUCCESS is a directory) is listed as failed and left as it was; the other hours are sealed, the next seal finishes it")
    func failedCommitLeavesTheHour() throws {
        let archive = try RawArchive()
        let partitions = Set(
            archive.directory.files(under: "archive/events") { $0.hasSuffix(".jsonl.gz") && !$0.hasPrefix("_") }.map { ($0 as NSString).deletingLastPathComponent }
        ).sorted()
        try #require(partitions.count > 1)
        let blocked = partitions[0]
        let names = try FileManager.default.contentsOfDirectory(atPath: blocked).sorted()
        let contents = try names.map { try Data(contentsOf: URL(fileURLWithPath: "\(blocked)/\($0)")) }
        // unlink(2) of a directory fails (EISDIR): the commit's first step, removing _SUCCESS, fails after the sealed file is written.
        try FileManager.default.createDirectory(atPath: "\(blocked)/_SUCCESS/kept", withIntermediateDirectories: true)

        let run = try archive.seal()
        #expect(run.status == 1, Comment(rawValue: run.stderr))
        #expect(run.stderr.contains(blocked.components(separatedBy: "/archive/").last!) && run.stderr.contains("\(partitions.count - 1) hours sealed"), Comment(rawValue: run.stderr))
        #expect(try FileManager.default.contentsOfDirectory(atPath: blocked).sorted() == (names + ["_SUCCESS"]).sorted())
        #expect(try names.map { try Data(contentsOf: URL(fileURLWithPath: "\(blocked)/\($0)")) } == contents)
        for other in partitions.dropFirst() {
            #expect(FileManager.default.fileExists(atPath: "\(other)/_SUCCESS") && FileManager.default.fileExists(atPath: "\(other)/_MANIFEST.json"), "\(other)")
        }

        try FileManager.default.removeItem(atPath: "\(blocked)/_SUCCESS")
        let again = try archive.seal()
        #expect(again.status == 0 && again.stderr.contains("1 hours sealed"), Comment(rawValue: again.stderr))
        let stored = try archive.storedUUIDs()
        #expect(stored.count == archive.uuids.count && Set(stored) == archive.uuids)
        #expect(try ProcessRunner.archive(["verify", "--root", archive.root]).status == 0)
    }

    @Test("a second seal while one runs is refused with a message, leaving everything as it was")
    func concurrentSealIsRefused() throws {
        let archive = try RawArchive(events: 100)
        let holder = try ProcessRunner.holdLock("\(archive.root)/_seal.lock", seconds: 3)
        defer { holder.waitUntilExit() }
        let second = try archive.seal()
        #expect(second.status == 1 && second.stderr.contains("another seal is running"))
        #expect(archive.directory.files(under: "archive/events") { $0 == "_MANIFEST.json" }.isEmpty)
    }

    @Test("retain removes only days past the cut-off that are sealed and reported, keeps their report, and says why it keeps the rest")
    func retention() throws {
        let archive = try RawArchive(events: 300, date: "2026-01-10")
        let earlier = archive.directory.file("earlier.jsonl")
        #expect(try ProcessRunner.archive(["generate", "--events", "200", "--date", "2026-01-09", "--out", earlier]).status == 0)
        #expect(try ProcessRunner.archive(["ingest", "--root", archive.root, "--input", earlier]).status == 0)
        #expect(try archive.seal().status == 0)
        #expect(try ProcessRunner.archive(["report", "--root", archive.root, "--date", "2026-01-09"]).status == 0)
        let dry = try ProcessRunner.archive(["retain", "--root", archive.root, "--keep-days", "2", "--delete-unshipped", "--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.text.contains("would remove \(archive.root)/events/date=2026-01-09/channel="))
        #expect(dry.text.contains("kept 2026-01-10: its report is missing"))
        let manifests = archive.directory.files(under: "archive/events/date=2026-01-09") { $0 == "_MANIFEST.json" }
        let sealedEvents = try manifests.map { path in
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! NSDictionary
            return (manifest["files"] as! [NSDictionary]).map { $0["events"] as! Int }.reduce(0, +)
        }.reduce(0, +)
        #expect(sealedEvents > 0)
        let real = try ProcessRunner.archive(["retain", "--root", archive.root, "--keep-days", "2", "--delete-unshipped"])
        #expect(real.status == 0 && real.text.contains("removed \(archive.root)/events/date=2026-01-09/channel="))
        #expect(archive.directory.files(under: "archive/events/date=2026-01-09") == ["\(archive.root)/events/date=2026-01-09/_RETAINED.json"])
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(archive.root)/events/date=2026-01-09/_RETAINED.json"))) as! NSDictionary
        #expect((record["removals"] as! [NSDictionary]).map { $0["events"] as! Int } == [sealedEvents], "the record counts what was removed")
        #expect(FileManager.default.fileExists(atPath: "\(archive.root)/events/date=2026-01-10"))
        #expect(FileManager.default.fileExists(atPath: "\(archive.root)/reports/date=2026-01-09/campaign_events.csv"))
    }

    @Test("seal --workers 4000 runs no more sealers than there are hours and cores: its peak memory stays that of a few workers")
    func absurdWorkerCountIsBounded() throws {
        let archive = try RawArchive(events: 300)
        let (run, peakKB) = try ProcessRunner.archiveWithPeakRSS(["seal", "--root", archive.root, "--workers", "4000"])
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        let peak = try #require(peakKB)
        #expect(peak < 150_000, "peak RSS \(peak) KB (4000 level-9 sealers took about 370 MB)")
    }
}
