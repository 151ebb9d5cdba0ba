import Foundation
import Testing

/// Two receivers, each with its own root, behind one balancer, shipping one day into one bucket and prefix.
@Suite("several roots, one bucket", .serialized)
struct SeveralRootsTests {
    static let prefix = "prod"

    /// A generated day's bodies split between two real receivers (even bodies to `a`, odd to `b`), the 5th also
    /// sent to `b` as MoEngage's retry would be when the balancer picks the other receiver; then each root's
    /// `nightly --ship-to` into one bucket.
    struct TwoRoots {
        let directory: TestDirectory
        let server: S3Server
        let events: [NSDictionary]
        let retried: String
        var roots: [String] { ["a", "b"].map(directory.file) }
        var destination: String { server.url(SeveralRootsTests.prefix) }

        init(_ name: String = #function) throws {
            directory = TestDirectory(name)
            let bodies = directory.file("day.jsonl")
            let generated = try ProcessRunner.archive(["generate", "--events", "3000", "--seed", "23", "--date", GeneratedDay.date, "--out", bodies])
            try #require(generated.status == 0)
            events = try Expectations.events(inBodiesFile: bodies)
            let lines = try String(contentsOfFile: bodies, encoding: .utf8).split(separator: "\n")
            retried = String(lines[4])
            let shares = [
                lines.enumerated().filter { $0.offset % 2 == 0 }.map(\.element),
                lines.enumerated().filter { $0.offset % 2 == 1 }.map(\.element) + [lines[4]],
            ]
            server = try S3Server(directory: directory)
            for (root, share) in zip(["a", "b"].map(directory.file), shares) {
                let input = root + ".jsonl"
                try (share.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
                let receiver = try ServerProcess(root: root)
                let replay = try ProcessRunner.archive(["replay", "--url", "http://127.0.0.1:\(receiver.port)/streams", "--input", input, "--concurrency", "4"])
                try #require(replay.status == 0, Comment(rawValue: replay.stderr))
                try #require(receiver.stop() == 0)
                let nightly = try ProcessRunner.archive(
                    ["nightly", "--root", root, "--date", GeneratedDay.date, "--ship-to", server.url(SeveralRootsTests.prefix)], environment: server.environment
                )
                try #require(nightly.status == 0, Comment(rawValue: nightly.stderr))
            }
        }

        func rootID(_ root: String) throws -> String {
            try String(contentsOfFile: "\(root)/_root-id", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    @Test("two roots ship one day into one bucket: each root's sealed files, manifests and report under keys of their own, boto3's hash of each the manifest's; verify --remote passes from both")
    func noCollision() throws {
        let day = try TwoRoots()
        let ids = try day.roots.map(day.rootID)
        #expect(ids[0] != ids[1])
        let bucket = try day.server.objects(under: Self.prefix)
        var sharedHours = 0
        for (root, id) in zip(day.roots, ids) {
            for path in day.directory.files(under: (root as NSString).lastPathComponent + "/events") where path.hasSuffix("/_MANIFEST.json") {
                let hour = (path as NSString).deletingLastPathComponent
                let relative = String(hour.dropFirst(root.count + 1))
                let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
                for file in manifest["files"] as! [[String: Any]] {
                    let name = file["name"] as! String
                    #expect(name.hasPrefix("sealed-\(id)-"), "a sealed file carries its root's id: \(name)")
                    #expect(bucket["\(Self.prefix)/\(relative)/\(name)"]?.sha256 == file["sha256"] as? String, "\(relative)/\(name)")
                    let manifestKey = "\(Self.prefix)/\(relative)/_MANIFEST-\(name.dropLast(".jsonl.gz".count)).json"
                    let local = try ProcessRunner.run("sha256sum", [path]).text.prefix(64)
                    #expect(bucket[manifestKey]?.sha256 == String(local), Comment(rawValue: manifestKey))
                }
                if bucket.keys.filter({ $0.hasPrefix("\(Self.prefix)/\(relative)/sealed-") }).count == 2 { sharedHours += 1 }
            }
            let report = bucket.keys.filter { $0.hasPrefix("\(Self.prefix)/reports/date=\(GeneratedDay.date)/root=\(id)/") }
            #expect(report.contains { $0.hasSuffix("/campaign_events.csv") }, "\(id)'s report under its own key directory")
            let verify = try ProcessRunner.archive(["verify", "--root", root, "--remote", day.destination], environment: day.server.environment)
            #expect(verify.status == 0, Comment(rawValue: verify.stderr))
        }
        #expect(sharedHours > 50, "both roots hold most hours (counted twice, once per root): \(sharedHours)")
    }

    @Test("a day restored from two roots' objects holds both roots' files; its rebuilt report and the Spark job over the bucket count each event once (the retried batch too)")
    func restoredDayCountsEachEventOnce() throws {
        let day = try TwoRoots()
        let expected = Data(ExpectedReport(events: day.events, date: GeneratedDay.date).campaignEventsCSV)
        let restored = day.directory.file("restored")
        let restore = try ProcessRunner.archive(["restore", "--root", restored, "--from", day.destination, "--date", GeneratedDay.date], environment: day.server.environment)
        #expect(restore.status == 0, Comment(rawValue: restore.stderr))
        #expect(restore.stderr.contains("data of \(GeneratedDay.date) from 2 roots"), Comment(rawValue: restore.stderr))
        let retriedUUID = try #require(((try JSONSerialization.jsonObject(with: Data(day.retried.utf8)) as? [String: Any])?["events"] as? [[String: Any]])?.first?["event_uuid"] as? String)
        let copies = try ProcessRunner.run("/bin/sh", ["-c", "zcat \"$0\"/events/date=*/*/*/sealed-*.jsonl.gz | grep -c '\"event_uuid\":\"\(retriedUUID)\"'", restored]).text
        #expect(copies.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "the retried batch's event is in both roots' files")

        let report = try ProcessRunner.archive(["report", "--root", restored, "--date", GeneratedDay.date])
        #expect(report.status == 0, Comment(rawValue: report.stderr))
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(restored)/reports/date=\(GeneratedDay.date)/campaign_events.csv")) == expected)
        let verify = try ProcessRunner.archive(["verify", "--root", restored, "--date", GeneratedDay.date])
        #expect(verify.status == 0, Comment(rawValue: verify.stderr))
        let again = try ProcessRunner.archive(["ship", "--root", restored, "--to", day.destination, "--date", GeneratedDay.date], environment: day.server.environment)
        #expect(again.status == 0, Comment(rawValue: again.stderr))
        // Only the rebuilt report (this root's own) goes up: the restored hours are recorded as they are in the bucket.
        #expect(again.stderr.contains(": 1 directories shipped") && again.stderr.contains(" 0 already there, 0 superseded"), Comment(rawValue: again.stderr))

        let mirror = day.directory.file("mirror")
        #expect(try day.server.oracle(["mirror", Self.prefix, mirror]).status == 0)
        let out = day.directory.file("spark-report")
        let spark = try ProcessRunner.run("python3", ["\(HandOffTests.repository)/Jobs/spark/campaign_report.py", "\(mirror)/\(Self.prefix)", GeneratedDay.date, out])
        #expect(spark.status == 0, Comment(rawValue: String(spark.stderr.suffix(2000))))
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(out)/campaign_events.csv")) == expected)
    }

    @Test("a late event into an hour restored from two roots re-seals it into one file of the restoring root; its ship removes none of the other roots' objects, and a restore elsewhere takes that file alone")
    func lateEventIntoRestoredHour() throws {
        let day = try TwoRoots()
        let restored = day.directory.file("restored")
        let restore = try ProcessRunner.archive(["restore", "--root", restored, "--from", day.destination, "--date", GeneratedDay.date], environment: day.server.environment)
        #expect(restore.status == 0, Comment(rawValue: restore.stderr))
        // An hour both roots shipped: restored with both roots' sealed files and a copy of each one's manifest.
        let copies = day.directory.files(under: "restored/events") { $0.hasPrefix("_MANIFEST-") }
        let hour = try #require(Dictionary(grouping: copies) { ($0 as NSString).deletingLastPathComponent }.first { $0.value.count == 2 }?.key)
        let sealed = try FileManager.default.contentsOfDirectory(atPath: hour).filter { $0.hasPrefix("sealed-") }
        #expect(sealed.count == 2)
        let line = try ProcessRunner.run("/bin/sh", ["-c", "zcat \"$0\" | head -n 1", "\(hour)/\(sealed[0])"]).text
        var late = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        for stored in ["app_name", "moe_request_id", "received_at"] { late.removeValue(forKey: stored) }
        late["event_uuid"] = "late-into-restored-hour"
        let receiver = try ServerProcess(root: restored)
        #expect(try receiver.post(Bodies.body([late])).status == 200)
        #expect(receiver.stop() == 0)
        let nightly = try ProcessRunner.archive(["nightly", "--root", restored, "--date", GeneratedDay.date, "--ship-to", day.destination], environment: day.server.environment)
        #expect(nightly.status == 0, Comment(rawValue: nightly.stderr))

        let id = try day.rootID(restored)
        let names = try FileManager.default.contentsOfDirectory(atPath: hour).sorted()
        #expect(names.count == 4 && names[0...2] == ["_MANIFEST.json", "_SHIPPED.json", "_SUCCESS"] && names[3].hasPrefix("sealed-\(id)-"), "one sealed file, no manifest copies: \(names)")
        let relative = String(hour.dropFirst(restored.count + 1))
        let bucket = try day.server.objects(under: "\(Self.prefix)/\(relative)/").keys
        for name in sealed + [names[3]] { #expect(bucket.contains("\(Self.prefix)/\(relative)/\(name)"), "\(name) is in the bucket") }
        for root in day.roots {
            let verify = try ProcessRunner.archive(["verify", "--root", root, "--remote", day.destination, "--date", GeneratedDay.date], environment: day.server.environment)
            #expect(verify.status == 0, Comment(rawValue: verify.stderr))
        }

        let elsewhere = day.directory.file("elsewhere")
        let again = try ProcessRunner.archive(["restore", "--root", elsewhere, "--from", day.destination, "--date", GeneratedDay.date], environment: day.server.environment)
        #expect(again.status == 0, Comment(rawValue: again.stderr))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(elsewhere)/\(relative)").filter { $0.hasPrefix("sealed-") } == [names[3]])
        let report = try ProcessRunner.archive(["report", "--root", elsewhere, "--date", GeneratedDay.date])
        #expect(report.status == 0, Comment(rawValue: report.stderr))
        let expected = ExpectedReport(events: day.events + [late as NSDictionary], date: GeneratedDay.date).campaignEventsCSV
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(elsewhere)/reports/date=\(GeneratedDay.date)/campaign_events.csv")) == Data(expected))
    }

    @Test("one root's report is not restored as the day's when another root's hours are in the bucket; the report rebuilt by the restoring root ships under its own key and leaves the other's alone")
    func oneRootsReportIsNotTheDays() throws {
        let day = try TwoRoots()
        let ids = try day.roots.map(day.rootID)
        #expect(try day.server.oracle(["delete", "\(Self.prefix)/reports/date=\(GeneratedDay.date)/root=\(ids[1])/"]).status == 0)
        let restored = day.directory.file("restored")
        let restore = try ProcessRunner.archive(["restore", "--root", restored, "--from", day.destination, "--date", GeneratedDay.date], environment: day.server.environment)
        #expect(restore.status == 0, Comment(rawValue: restore.stderr))
        #expect(restore.stderr.contains("data of \(GeneratedDay.date) from 2 roots") && restore.stderr.contains(" 0 report files"), Comment(rawValue: restore.stderr))
        #expect(!FileManager.default.fileExists(atPath: "\(restored)/reports/date=\(GeneratedDay.date)"), "A's report covers A's events only")

        let before = try day.server.objects(under: "\(Self.prefix)/reports/date=\(GeneratedDay.date)/root=\(ids[0])/")
        #expect(try ProcessRunner.archive(["report", "--root", restored, "--date", GeneratedDay.date]).status == 0)
        let ship = try ProcessRunner.archive(["ship", "--root", restored, "--to", day.destination, "--date", GeneratedDay.date], environment: day.server.environment)
        #expect(ship.status == 0, Comment(rawValue: ship.stderr))
        let own = try day.server.objects(under: "\(Self.prefix)/reports/date=\(GeneratedDay.date)/root=\(try day.rootID(restored))/")
        #expect(own.keys.contains { $0.hasSuffix("/campaign_events.csv") }, "\(own.keys)")
        #expect(try day.server.objects(under: "\(Self.prefix)/reports/date=\(GeneratedDay.date)/root=\(ids[0])/").mapValues(\.sha256) == before.mapValues(\.sha256))
        let verify = try ProcessRunner.archive(["verify", "--root", day.roots[0], "--remote", day.destination, "--date", GeneratedDay.date], environment: day.server.environment)
        #expect(verify.status == 0, Comment(rawValue: verify.stderr))
    }
}
