import Foundation
import Testing

/// A day received over HTTP, sealed and reported by `nightly`, beside a real S3 API server (moto).
struct ShippableDay {
    let day: ReceivedDay
    let server: S3Server
    var root: String { day.root }
    let prefix = "prod"
    var destination: String { server.url(prefix) }

    init(events: Int = 2000, authenticated: Bool = false, _ name: String = #function) throws {
        day = try ReceivedDay(events: events, name)
        server = try S3Server(authenticated: authenticated, directory: day.directory)
        let nightly = try ProcessRunner.archive(["nightly", "--root", day.root, "--date", GeneratedDay.date])
        try #require(nightly.status == 0, Comment(rawValue: nightly.stderr))
    }

    func ship(_ extra: [String] = [], environment: [String: String]? = nil) throws -> ProcessRunner.Output {
        try ProcessRunner.archive(["ship", "--root", root, "--to", destination] + extra, environment: environment ?? server.environment)
    }

    /// The root's id, as it names its sealed files and its report's key directory.
    var rootID: String { get throws { try String(contentsOfFile: "\(root)/_root-id", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) } }

    /// Every file ship is to put in the bucket, by key, with its SHA-256 computed here by `sha256sum` (an
    /// oracle independent of ours): sealed files, their manifests as `_MANIFEST-<sealed>.json`, `_SUCCESS`,
    /// daily reports (under `root=<root id>/`; not the home page, which links the root's own tree), rejected input.
    func expectedObjects() throws -> [String: String] {
        var keys: [String: String] = [:]  // path → key
        for file in day.directory.files(under: "archive") {
            let relative = String(file.dropFirst(root.count + 1))
            let name = (relative as NSString).lastPathComponent
            let directory = (relative as NSString).deletingLastPathComponent
            guard relative.hasPrefix("events/") || relative.hasPrefix("reports/date=") || relative.hasPrefix("rejected/") else { continue }
            guard name != "_SHIPPED.json", name != "_RETAINED.json", !name.hasPrefix(".") else { continue }
            var key = "\(prefix)/\(relative)"
            if relative.hasPrefix("reports/") { key = "\(prefix)/\(directory)/root=\(try rootID)/\(name)" }
            if name == "_MANIFEST.json" {
                let sealed = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(root)/\(directory)").first { $0.hasPrefix("sealed-") })
                key = "\(prefix)/\(directory)/_MANIFEST-\(sealed.dropLast(".jsonl.gz".count)).json"
            }
            keys[file] = key
        }
        let sums = try ProcessRunner.run("sha256sum", Array(keys.keys)).text.split(separator: "\n")
        var expected: [String: String] = [:]
        for line in sums {
            let path = String(line.dropFirst(66))
            expected[try #require(keys[path])] = String(line.prefix(64))
        }
        #expect(expected.count == keys.count)
        return expected
    }

    /// The `_SHIPPED.json` records under the root.
    var records: [String] { day.directory.files(under: "archive") { $0 == "_SHIPPED.json" } }
}

@Suite("ship to object storage", .serialized)
struct ShipTests {
    @Test("nightly with a destination puts every hour in the bucket with its manifest and _SUCCESS; boto3's hash of each object is the manifest's")
    func nightlyShipsEveryHour() throws {
        let day = try ShippableDay()
        let nightly = try ProcessRunner.archive(["nightly", "--root", day.root, "--date", GeneratedDay.date, "--ship-to", day.destination], environment: day.server.environment)
        #expect(nightly.status == 0, Comment(rawValue: nightly.stderr))
        let bucket = try day.server.objects(under: day.prefix)
        let expected = try day.expectedObjects()
        #expect(Set(bucket.keys) == Set(expected.keys))
        for (key, sha) in expected { #expect(bucket[key]?.sha256 == sha, "\(key)") }
        // Each sealed object against the manifest's own sha256, as the bucket's readers would check it.
        let manifests = day.day.directory.files(under: "archive/events") { $0 == "_MANIFEST.json" }
        #expect(manifests.count > 100)
        for path in manifests {
            let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            for file in manifest["files"] as! [[String: Any]] {
                let relative = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(file["name"] as! String)
                let key = "\(day.prefix)/" + relative.dropFirst(day.root.count + 1)
                #expect(bucket[key]?.sha256 == file["sha256"] as? String, "\(key)")
                #expect(bucket[key]?.bytes == file["bytes"] as? Int, "\(key)")
            }
            #expect(FileManager.default.fileExists(atPath: ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("_SHIPPED.json")))
        }
    }

    @Test("a second ship uploads nothing and changes nothing in the bucket")
    func secondShipUploadsNothing() throws {
        let day = try ShippableDay()
        #expect(try day.ship().status == 0)
        let before = try day.server.objects(under: day.prefix)
        let again = try day.ship()
        #expect(again.status == 0, Comment(rawValue: again.stderr))
        #expect(again.stderr.contains(" 0 objects uploaded"), Comment(rawValue: again.stderr))
        #expect(again.stderr.contains("0 directories shipped"), Comment(rawValue: again.stderr))
        let after = try day.server.objects(under: day.prefix)
        #expect(Set(after.keys) == Set(before.keys))
    }

    @Test("a late event re-seals its hour; ship puts the new sealed file and manifest, confirms them, and only then deletes the old objects")
    func lateEventReshipsItsHour() throws {
        let day = try ShippableDay()
        #expect(try day.ship().status == 0)
        let hour = "events/date=\(GeneratedDay.date)/channel=email/hour=03"
        let oldKeys = Set(try day.server.objects(under: "\(day.prefix)/\(hour)").keys)
        let oldSealed = try #require(oldKeys.first { $0.contains("/sealed-") })
        let late = Bodies.event(uuid: "late-after-ship", time: 1_795_748_400, code: "MOE_EMAIL_CLICK", extra: ["uid": "late-user"])
        let receiver = try ServerProcess(root: day.root)
        #expect(try receiver.post(Bodies.body([late])).status == 200)
        #expect(receiver.stop() == 0)
        let nightly = try ProcessRunner.archive(["nightly", "--root", day.root, "--date", GeneratedDay.date, "--ship-to", day.destination], environment: day.server.environment)
        #expect(nightly.status == 0, Comment(rawValue: nightly.stderr))
        #expect(nightly.stderr.contains("1 superseded removed") || nightly.stderr.contains("2 superseded removed"), Comment(rawValue: nightly.stderr))

        let bucket = try day.server.objects(under: "\(day.prefix)/\(hour)")
        let expected = try day.expectedObjects().filter { $0.key.hasPrefix("\(day.prefix)/\(hour)/") }
        #expect(Set(bucket.keys) == Set(expected.keys), "exactly the new sealed file, its manifest and _SUCCESS")
        #expect(!bucket.keys.contains(oldSealed))
        for (key, sha) in expected { #expect(bucket[key]?.sha256 == sha, "\(key)") }
        let newSealed = try #require(bucket.keys.first { $0.contains("/sealed-") })
        let text = try day.server.oracle(["get", newSealed])
        #expect(try ProcessRunner.run("/bin/sh", ["-c", "gzip -dc"], input: text.stdout).text.contains("late-after-ship"))
        // The order of what the store saw (moto's request log, paths decoded): the old sealed object deleted
        // after the new one and its manifest were created and checked.
        let log = try String(contentsOfFile: try #require(day.day.directory.files { $0.hasPrefix("moto-") }.first), encoding: .utf8)
        let requests = log.split(separator: "\n").filter { $0.contains(" /archive/") }
        let deleteOld = try #require(
            requests.lastIndex { $0.contains("DELETE /archive/\(oldSealed)") }, Comment(rawValue: requests.filter { $0.contains("DELETE") }.joined(separator: "\n"))
        )
        let newManifest = newSealed.replacingOccurrences(of: "/sealed-", with: "/_MANIFEST-sealed-").replacingOccurrences(of: ".jsonl.gz", with: ".json")
        let headNew = try #require(requests.lastIndex { $0.contains("HEAD /archive/\(newSealed)") })
        let headManifest = try #require(requests.lastIndex { $0.contains("HEAD /archive/\(newManifest)") })
        #expect(headNew < deleteOld && headManifest < deleteOld)
    }

    @Test("pandas through s3fs reads the shipped day from the bucket with hive partition columns and counts every event once")
    func pandasReadsTheBucket() throws {
        let day = try ShippableDay()
        #expect(try day.ship().status == 0)
        let output = try day.server.oracle(["pandas", day.prefix])
        try #require(output.status == 0, Comment(rawValue: output.stderr))
        let result = try #require(try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any])
        let uuids = Set(day.day.events.map { $0["event_uuid"] as! String })
        #expect(result["rows"] as? Int == uuids.count)
        #expect(result["distinct_uuids"] as? Int == uuids.count)
        let partitions = result["by_partition"] as! [String: Int]
        #expect(partitions.keys.allSatisfy { $0.split(separator: "/").count == 3 })
        #expect(partitions.values.reduce(0, +) == uuids.count)
    }

    @Test("store unreachable: exit 1 with a message naming the endpoint, nothing recorded as shipped, retain deletes nothing")
    func unreachableStore() throws {
        let day = try ShippableDay()
        var environment = day.server.environment
        environment["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:9"  // discard port: nothing listens
        let ship = try day.ship(environment: environment)
        #expect(ship.status == 1)
        #expect(ship.stderr.contains("cannot reach http://127.0.0.1:9"), Comment(rawValue: ship.stderr))
        #expect(day.records.isEmpty)
        try Self.expectRetainKeepsEverything(day, environment: environment)
    }

    @Test("wrong secret: the store refuses the signature, exit 1 saying to check the keys, nothing recorded, retain deletes nothing")
    func wrongSecret() throws {
        let day = try ShippableDay(authenticated: true)
        var environment = day.server.environment
        environment["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
        let ship = try day.ship(environment: environment)
        #expect(ship.status == 1)
        #expect(ship.stderr.contains("SignatureDoesNotMatch") && ship.stderr.contains("check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY"), Comment(rawValue: ship.stderr))
        #expect(!ship.stderr.contains("not-the-secret"), "the secret never appears in messages")
        #expect(day.records.isEmpty)
        try Self.expectRetainKeepsEverything(day, environment: environment)
        // With the right secret, moto checking every signature, the same ship succeeds.
        let right = try day.ship()
        #expect(right.status == 0, Comment(rawValue: right.stderr))
        #expect(Set(try day.server.objects(under: day.prefix).keys) == Set(try day.expectedObjects().keys))
    }

    @Test("missing bucket: exit 1 saying to create it, nothing recorded, retain deletes nothing")
    func missingBucket() throws {
        let day = try ShippableDay()
        let ship = try ProcessRunner.archive(["ship", "--root", day.root, "--to", "s3://no-such-bucket/prod"], environment: day.server.environment)
        #expect(ship.status == 1)
        #expect(ship.stderr.contains("NoSuchBucket") && ship.stderr.contains("create the bucket"), Comment(rawValue: ship.stderr))
        #expect(day.records.isEmpty)
        try Self.expectRetainKeepsEverything(day, environment: day.server.environment, destination: "s3://no-such-bucket/prod")
    }

    static func expectRetainKeepsEverything(_ day: ShippableDay, environment: [String: String], destination: String? = nil) throws {
        let before = day.day.directory.files(under: "archive/events")
        let retain = try ProcessRunner.archive(["retain", "--root", day.root, "--keep-days", "1", "--ship-to", destination ?? day.destination], environment: environment)
        #expect(retain.status == 0, Comment(rawValue: retain.stderr))
        #expect(retain.stdout.isEmpty == false && String(decoding: retain.stdout, as: UTF8.self).contains("is not confirmed at"), Comment(rawValue: retain.text))
        #expect(day.day.directory.files(under: "archive/events") == before)
    }

    @Test("retain with a destination removes a day only once every hour and its rejected input are confirmed there")
    func retainWaitsForShipping() throws {
        let day = try ShippableDay()
        let environment = day.server.environment
        let before = try ProcessRunner.archive(["retain", "--root", day.root, "--keep-days", "1", "--ship-to", day.destination], environment: environment)
        #expect(before.text.contains("kept \(GeneratedDay.date): events/date=\(GeneratedDay.date)/") && before.text.contains("is not confirmed at \(day.destination) (run ship)"), Comment(rawValue: before.text))
        #expect(!day.day.directory.files(under: "archive/events/date=\(GeneratedDay.date)") { $0.hasPrefix("sealed-") }.isEmpty)
        #expect(try day.ship().status == 0)
        // Spelled differently (a trailing slash), the same destination: it is compared in one spelling.
        let after = try ProcessRunner.archive(["retain", "--root", day.root, "--keep-days", "1", "--ship-to", day.destination + "/"], environment: environment)
        #expect(after.status == 0, Comment(rawValue: after.stderr))
        #expect(day.day.directory.files(under: "archive/events/date=\(GeneratedDay.date)") { $0.hasPrefix("sealed-") || $0 == "_SHIPPED.json" }.isEmpty)
        #expect(FileManager.default.fileExists(atPath: "\(day.root)/reports/date=\(GeneratedDay.date)/campaign_events.csv"), "reports stay")
    }

    @Test("retain without a destination keeps raw events and says why, unless --delete-unshipped")
    func retainWithoutDestination() throws {
        let day = try ShippableDay()
        let kept = try ProcessRunner.archive(["retain", "--root", day.root, "--keep-days", "1"], environment: day.server.environment)
        #expect(kept.status == 0)
        #expect(kept.text.contains("no ship destination is set") && kept.text.contains("--delete-unshipped"), Comment(rawValue: kept.text))
        #expect(!day.day.directory.files(under: "archive/events/date=\(GeneratedDay.date)") { $0.hasPrefix("sealed-") }.isEmpty)
        let removed = try ProcessRunner.archive(["retain", "--root", day.root, "--keep-days", "1", "--delete-unshipped"], environment: day.server.environment)
        #expect(removed.status == 0, Comment(rawValue: removed.stderr))
        #expect(day.day.directory.files(under: "archive/events/date=\(GeneratedDay.date)") { $0.hasPrefix("sealed-") }.isEmpty)
    }

    /// SIGKILL at a chosen system call (strace's fault injection), then a plain re-run.
    @Test(
        "ship killed with SIGKILL mid single PUT, mid multipart and between upload and record, then re-run: the bucket complete, nothing duplicated, no open multipart upload",
        arguments: [
            ("sendto", 2, [String]()),  // the first PUT's body on the socket
            ("pread64", 3, ["--multipart-threshold", "2K", "--part-size", "1K"]),  // reading the 3rd part of the first multipart upload
            ("rename", 1, [String]()),  // the first _SHIPPED.json into place: objects confirmed, record not yet written
        ]
    )
    func killedShip(_ syscall: String, _ occurrence: Int, _ tuning: [String]) throws {
        let day = try ShippableDay()
        let killed = try ProcessRunner.run(
            "strace", ["-f", "-o", "/dev/null", "-e", "inject=\(syscall):signal=KILL:when=\(occurrence)", ProcessRunner.streamsArchive, "ship", "--root", day.root,
                       "--to", day.destination, "--workers", "1"] + tuning,
            environment: day.server.environment
        )
        #expect(killed.status != 0, "the kill landed")
        let expected = try day.expectedObjects()
        #expect(day.records.count < expected.count / 3, "killed before every directory was recorded")
        let rerun = try day.ship(tuning)
        #expect(rerun.status == 0, Comment(rawValue: rerun.stderr))
        let bucket = try day.server.objects(under: day.prefix)
        #expect(Set(bucket.keys) == Set(expected.keys))
        for (key, sha) in expected { #expect(bucket[key]?.sha256 == sha, "\(key)") }
        #expect(try day.server.openUploads().isEmpty)
        #expect(try day.ship(tuning).stderr.contains(" 0 objects uploaded"))
    }

    @Test("a multipart upload cut by SIGKILL is aborted by the next run even when that run ships another date (its key never retried)")
    func killedUploadIsAbortedByAnyRun() throws {
        let day = try ShippableDay()
        let tuning = ["--multipart-threshold", "2K", "--part-size", "1K"]
        let killed = try ProcessRunner.run(
            "strace", ["-f", "-o", "/dev/null", "-e", "inject=pread64:signal=KILL:when=3", ProcessRunner.streamsArchive, "ship", "--root", day.root,
                       "--to", day.destination, "--workers", "1"] + tuning,
            environment: day.server.environment
        )
        #expect(killed.status != 0, "the kill landed")
        let open = try day.server.openUploads()
        try #require(open.count == 1, "\(open)")
        let journal = "\(day.root)/_ship-uploads.log"
        #expect(try String(contentsOfFile: journal, encoding: .utf8).contains("\(open[0][0])\t\(open[0][1])"))
        let dates = try FileManager.default.contentsOfDirectory(atPath: "\(day.root)/events").filter { $0.hasPrefix("date=") }
        let other = try #require(dates.first { !open[0][0].contains("/\($0)/") }, "the day spans two dates: \(dates)")
        let rerun = try day.ship(["--date", String(other.dropFirst("date=".count))] + tuning)
        #expect(rerun.status == 0, Comment(rawValue: rerun.stderr))
        #expect(try day.server.openUploads().isEmpty)
        #expect(try !String(contentsOfFile: journal, encoding: .utf8).contains(open[0][1]))
    }

    @Test("a disk read error while sending multipart parts of several files: exit 1 naming them, nothing recorded for them, no hang; a re-run ships them")
    func readErrorMidMultipart() throws {
        let day = try ShippableDay()
        let tuning = ["--multipart-threshold", "2K", "--part-size", "1K"]
        let sizes = day.day.directory.files(under: "archive/events") { $0.hasPrefix("sealed-") }
            .map { ($0, (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0) }
        let sealed = sizes.filter { $0.1 > 2048 }.sorted { $0.1 > $1.1 }.prefix(8).map(\.0)
        try #require(sealed.count == 8, "eight sealed files large enough for multipart: \(sizes.map(\.1).sorted().suffix(8))")
        let failing = try ProcessRunner.run(
            "strace", ["-f", "-o", "/dev/null", "-e", "inject=pread64:error=EIO"] + sealed.flatMap { ["-P", $0] }
                + [ProcessRunner.streamsArchive, "ship", "--root", day.root, "--to", day.destination, "--workers", "1"] + tuning,
            environment: day.server.environment
        )
        #expect(failing.status == 1, Comment(rawValue: failing.stderr))
        #expect(failing.stderr.contains("8 failed"), Comment(rawValue: failing.stderr))
        for path in sealed {
            #expect(!FileManager.default.fileExists(atPath: ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("_SHIPPED.json")))
        }
        let rerun = try day.ship(tuning)
        #expect(rerun.status == 0, Comment(rawValue: rerun.stderr))
        #expect(try day.server.openUploads().isEmpty)
    }
}
