import Foundation
import StreamsArchive
import StreamsTraffic
import Testing

@Suite("receiver durability: disk trouble and kill -9", .serialized)
struct ReceiverDurabilityTests {
    /// A body of `count` events with incompressible padding, so a few of them fill a small disk.
    static func body(_ prefix: String, _ count: Int, time: Int = 1_773_480_000) -> [UInt8] {
        var random = TestRandom(seed: UInt64(count))
        return Bodies.body((0..<count).map { index in
            Bodies.event(uuid: "\(prefix)-\(index)", time: time, extra: ["pad": (0..<40).map { _ in String(random.next(), radix: 36) }.joined()])
        })
    }

    @Test("disk full, a read-only filesystem and refused permissions get 503 with Retry-After, leave nothing torn, and the receiver recovers without a restart")
    func storageTroubleIs503AndRecovers() throws {
        let directory = TestDirectory()
        let mount = directory.file("small-disk")
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        let mounted = try ProcessRunner.run("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mount])
        try #require(mounted.status == 0, "this test mounts a 2 MiB tmpfs and needs root: \(mounted.stderr)")
        defer { _ = try? ProcessRunner.run("umount", ["-l", mount]) }
        let root = mount + "/archive"
        let server = try ServerProcess(root: root)
        #expect(try server.post(Self.body("before", 50)).status == 200)

        _ = try ProcessRunner.shell("dd if=/dev/zero of='\(mount)/filler' bs=4k 2>/dev/null; sync")
        let full = try server.post(Self.body("while-full", 300))
        #expect(full.status == 503)
        #expect(full.headers["retry-after"] == "30")
        #expect((full.json["error"] as? String)?.contains("No space left on device") == true)
        for file in TestDirectory.existing(root).files(under: "events") {
            #expect(try ProcessRunner.run("gzip", ["-t", file]).status == 0, "torn after ENOSPC: \(file)")
        }
        try FileManager.default.removeItem(atPath: mount + "/filler")
        #expect(try server.post(Self.body("while-full", 300)).status == 200, "recovered once space came back")

        // Read-only: the events tree becomes a read-only bind mount; files already open still take appends,
        // anything new (a new hour's directory or file) fails with EROFS.
        let events = root + "/events"
        #expect(try ProcessRunner.run("mount", ["--bind", events, events]).status == 0)
        #expect(try ProcessRunner.run("mount", ["-o", "remount,bind,ro", events]).status == 0)
        let newHour = 1_773_480_000 + 7200
        let readOnly = try server.post(Self.body("read-only", 20, time: newHour))
        #expect(readOnly.status == 503 && readOnly.headers["retry-after"] == "30")
        #expect((readOnly.json["error"] as? String)?.contains("Read-only file system") == true)
        #expect(try ProcessRunner.run("umount", [events]).status == 0)
        #expect(try server.post(Self.body("read-only", 20, time: newHour)).status == 200)

        // Permissions: a directory that refuses new entries, even to root.
        let day = root + "/events/date=2026-03-14"
        #expect(try ProcessRunner.run("chattr", ["+i", day]).status == 0)
        let smsEvent = Bodies.body([Bodies.event(uuid: "permission-0", channel: "SMS")])
        let refused = try server.post(smsEvent)
        #expect(refused.status == 503 && refused.headers["retry-after"] == "30")
        #expect((refused.json["error"] as? String)?.contains("Operation not permitted") == true)
        #expect(try ProcessRunner.run("chattr", ["-i", day]).status == 0)
        #expect(try server.post(smsEvent).status == 200)

        #expect(server.stop() == 0)
        let stored = try Expectations.stored(root: root).map { $0.line["event_uuid"] as! String }
        let expected = (0..<50).map { "before-\($0)" } + (0..<300).map { "while-full-\($0)" } + (0..<20).map { "read-only-\($0)" } + ["permission-0"]
        #expect(stored.sorted() == expected.sorted(), "every acknowledged event exactly once")
        #expect(server.log.contains("http.status=503"))
    }

    /// Several clients send load; the server is killed with SIGKILL at random moments and restarted. Every event
    /// that got a 200 must be in the archive, and every file must read cleanly.
    @Test("kill -9 under concurrent load, twenty times (every other one with the writer over its descriptor budget): every acknowledged event survives once, and every file reads cleanly")
    func killNineUnderLoadLosesNothingAcknowledged() throws {
        let directory = TestDirectory()
        let input = directory.file("day.jsonl")
        #expect(try ProcessRunner.archive(["generate", "--events", "250000", "--date", "2026-03-14", "--seed", "9", "--out", input]).status == 0)
        let bodies = try Data(contentsOf: URL(fileURLWithPath: input)).split(separator: UInt8(ascii: "\n")).map { Array($0) }
        let uuids = try bodies.map { body in
            ((try JSONSerialization.jsonObject(with: Data(body)) as! NSDictionary)["events"] as! [NSDictionary]).map { $0["event_uuid"] as! String }
        }
        let root = directory.file("archive")
        let load = SharedLoad(count: bodies.count)
        var random = TestRandom(seed: 99)
        // Twenty rounds ended by SIGKILL at a random moment, then a clean round that sends the rest and stops.
        // Odd rounds run under `ulimit -n 96`: the writer's budget is then 24 files for a day of about 200
        // partitions, so it fsyncs, closes and reopens files between commits while being killed.
        let kills = 20
        for round in 0...kills {
            let server = try ServerProcess(root: root, descriptorLimit: round.isMultiple(of: 2) ? nil : 96)
            let done = DispatchGroup()
            for _ in 0..<4 {
                done.enter()
                Thread { [port = server.port] in
                    let connection = HTTPConnection(host: "127.0.0.1", port: port)
                    while let index = load.take() {
                        let reply = try? connection.request("POST", "/streams", headers: [("Content-Type", "application/json")], body: bodies[index])
                        if reply?.status == 200 { load.acknowledge(index) } else { load.giveBack(index); break }
                    }
                    done.leave()
                }.start()
            }
            if round < kills {
                usleep(UInt32.random(in: 100_000...400_000, using: &random))
                #expect(load.remaining > 0, "round \(round): the kill must land while load is still being sent")
                server.kill9()
                done.wait()
            } else {
                done.wait()
                #expect(server.stop() == 0)
            }
        }
        #expect(load.acknowledged.count == bodies.count)
        let stored = try Expectations.stored(root: root).map { $0.line["event_uuid"] as! String }
        let storedSet = Set(stored)
        let missing = load.acknowledged.flatMap { uuids[$0] }.filter { !storedSet.contains($0) }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(5))")
        #expect(stored.count == storedSet.count, "\(stored.count - storedSet.count) events stored twice across the restarts")
        for file in directory.files(under: "archive") where file.hasSuffix(".gz") || file.hasSuffix(".part") {
            #expect(ArchiveFileName.isFinished((file as NSString).lastPathComponent), "left in progress after restart: \(file)")
            #expect(try ProcessRunner.run("gzip", ["-t", file]).status == 0, "\(file)")
        }
    }
}

/// The bodies still to send and those acknowledged, shared by the client threads.
final class SharedLoad: @unchecked Sendable {
    private let lock = NSLock()
    private var queue: [Int]
    private(set) var acknowledged: [Int] = []

    init(count: Int) {
        queue = Array((0..<count).reversed())
    }

    var remaining: Int { lock.withLock { queue.count } }
    func take() -> Int? { lock.withLock { queue.popLast() } }
    func giveBack(_ index: Int) { lock.withLock { queue.append(index) } }
    func acknowledge(_ index: Int) { lock.withLock { acknowledged.append(index) } }
}
