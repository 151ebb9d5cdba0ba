import Foundation
import Testing

/// One busy hour (channel email, hour 03 of `GeneratedDay.date`) of `count` distinct events, every 50th body
/// sent twice as MoEngage's retry would be, archived with `ingest`.
struct SkewedHour {
    let directory: TestDirectory
    let uuids: Set<String>
    var root: String { directory.file("archive") }
    static let hourStart = 1_795_748_400

    /// Copies of four events that a spilled seal finds in different runs: the first copies go in the first body;
    /// later copies, at other event_times or with other bytes, in a middle body and in the last (`laterCopies`).
    static let firstCopies: [(uuid: String, offset: Int)] = [("copy-a", 100), ("copy-b", 3000), ("copy-c", 50), ("copy-d", 700)]
    static let laterCopies: [(uuid: String, offset: Int, body: String)] = [
        ("copy-a", 2000, "last"), ("copy-b", 10, "last"), ("copy-c", 3500, "middle"), ("copy-c", 3500, "last"), ("copy-d", 700, "last"),
    ]

    init(events count: Int, laterCopies: Bool = false, _ name: String = #function) throws {
        directory = TestDirectory(name)
        var bodies = Data()
        var uuids = Set<String>()
        var batch: [[String: Any]] = []
        func copy(_ uuid: String, _ offset: Int, _ which: String) -> [String: Any] {
            Bodies.event(uuid: uuid, time: Self.hourStart + offset, code: "MOE_EMAIL_OPEN", extra: ["copy": which])
        }
        if laterCopies {
            batch = Self.firstCopies.map { copy($0.uuid, $0.offset, "first") }
            uuids.formUnion(Self.firstCopies.map(\.uuid))
        }
        for index in 0..<count {
            let uuid = "skewed-\(index)"
            uuids.insert(uuid)
            let attributes: [String: Any] = ["campaign_id": "campaign-\(index % 7)", "campaign_name": "Spring sale \(index % 7)", "campaign_channel": "Email"]
            batch.append(
                Bodies.event(uuid: uuid, time: Self.hourStart + (index * 7919) % 3600, code: "MOE_EMAIL_OPEN", extra: ["uid": "user-\(index % 5000)", "event_attributes": attributes])
            )
            if laterCopies, index == count / 2 || index == count - 1 {
                let body = index == count - 1 ? "last" : "middle"
                batch += Self.laterCopies.filter { $0.body == body }.map { copy($0.uuid, $0.offset, "later, \(body)") }
            }
            if batch.count >= 100 || index == count - 1 {
                let body = try JSONSerialization.data(withJSONObject: ["app_name": "Acme", "source": "MOENGAGE", "moe_request_id": "req-\(index)", "events": batch])
                for _ in 0..<((index / 100) % 50 == 0 ? 2 : 1) { bodies.append(body + Data("\n".utf8)) }
                batch = []
            }
        }
        self.uuids = uuids
        let input = directory.file("bodies.jsonl")
        try bodies.write(to: URL(fileURLWithPath: input))
        let ingest = try ProcessRunner.archive(["ingest", "--root", directory.file("archive"), "--input", input])
        try #require(ingest.status == 0, Comment(rawValue: ingest.stderr))
    }

    var hour: String { "\(root)/events/date=\(GeneratedDay.date)/channel=email/hour=03" }

    /// The hour's sealed file's bytes.
    func sealedBytes(root: String? = nil) throws -> Data {
        let hour = root.map { "\($0)/events/date=\(GeneratedDay.date)/channel=email/hour=03" } ?? self.hour
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: hour).first { $0.hasPrefix("sealed-") })
        return try Data(contentsOf: URL(fileURLWithPath: "\(hour)/\(name)"))
    }

    /// Files a seal left in the hour that no reader should see: spilled runs, hidden sealed files.
    var sealingLeftovers: [String] { directory.files(under: "archive") { $0.hasPrefix("_sealing-") } }
}

@Suite("seal over its memory budget")
struct SealSpillTests {
    @Test(
        "an hour larger than the memory budget is sealed through runs spilled to disk into the same bytes as in memory, each event once, no run left",
        arguments: ["256K", "64K"]  // about 40 runs, and about 200 (merged 64 at a time)
    )
    func spilledSealIsByteIdentical(budget: String) throws {
        let hour = try SkewedHour(events: 20_000, "spilledSealIsByteIdentical-\(budget)")
        let copy = hour.directory.file("unconstrained")
        #expect(try ProcessRunner.run("cp", ["-a", hour.root, copy]).status == 0)
        let spilled = try ProcessRunner.archive(["seal", "--root", hour.root, "--memory-budget", budget, "--workers", "1"])
        #expect(spilled.status == 0, Comment(rawValue: spilled.stderr))
        #expect(spilled.stderr.contains(" 1 spilled to disk"), Comment(rawValue: spilled.stderr))
        let inMemory = try ProcessRunner.archive(["seal", "--root", copy])
        #expect(inMemory.stderr.contains(" 0 spilled to disk"), Comment(rawValue: inMemory.stderr))
        #expect(try hour.sealedBytes() == hour.sealedBytes(root: copy))
        let lines = try ProcessRunner.run("/bin/sh", ["-c", "zcat \"$0\"/sealed-*.jsonl.gz | wc -l", hour.hour]).text
        #expect(Int(lines.trimmingCharacters(in: .whitespacesAndNewlines)) == hour.uuids.count)
        #expect(hour.sealingLeftovers.isEmpty)
        #expect(try ProcessRunner.archive(["verify", "--root", hour.root]).status == 0)
    }

    @Test("copies of an event_uuid in later runs, at other event_times or with other bytes, are dropped: the first copy is kept, as in memory")
    func laterCopiesInOtherRunsAreDropped() throws {
        let hour = try SkewedHour(events: 20_000, laterCopies: true)
        let copy = hour.directory.file("unconstrained")
        #expect(try ProcessRunner.run("cp", ["-a", hour.root, copy]).status == 0)
        let spilled = try ProcessRunner.archive(["seal", "--root", hour.root, "--memory-budget", "64K", "--workers", "1"])
        #expect(spilled.status == 0 && spilled.stderr.contains(" 1 spilled to disk"), Comment(rawValue: spilled.stderr))
        #expect(try ProcessRunner.archive(["seal", "--root", copy]).status == 0)
        #expect(try hour.sealedBytes() == hour.sealedBytes(root: copy))
        let lines = try ProcessRunner.run("/bin/sh", ["-c", "zcat \"$0\"/sealed-*.jsonl.gz | grep '\"copy-'", hour.hour]).text.split(separator: "\n")
        #expect(lines.count == SkewedHour.firstCopies.count && lines.allSatisfy { $0.contains(#""copy":"first""#) }, "\(lines)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(hour.hour)/_MANIFEST.json"))) as! NSDictionary
        let inMemory = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(copy)/events/date=\(GeneratedDay.date)/channel=email/hour=03/_MANIFEST.json"))) as! NSDictionary
        #expect(manifest["duplicates_dropped"] as? Int == inMemory["duplicates_dropped"] as? Int)
    }

    @Test("the budget holds: sealing an hour several times larger than an 8 MiB budget peaks under the budget plus a fixed overhead")
    func budgetHolds() throws {
        let hour = try SkewedHour(events: 150_000)
        let raw = try ProcessRunner.run("/bin/sh", ["-c", "zcat \"$0\"/*.jsonl.gz | wc -c", hour.hour]).text
        let rawBytes = try #require(Int(raw.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(rawBytes > 4 * (8 << 20), "the hour (\(rawBytes) bytes of JSON) is several times the budget")
        let (run, peakKB) = try ProcessRunner.archiveWithPeakRSS(["seal", "--root", hour.root, "--memory-budget", "8M", "--workers", "1"])
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        #expect(run.stderr.contains(" 1 spilled to disk"), Comment(rawValue: run.stderr))
        let peak = try #require(peakKB)
        #expect(peak < (8 << 10) + SealSpillTests.overheadKB, "peak RSS \(peak) KB for a budget of 8 MiB")
    }

    /// What a seal holds beside the budget: the binary and its libraries (about 35 MB for seal of an empty
    /// archive, debug build), zlib's level-9 state, 1 MiB read, compression and write buffers (measured: 49 MB
    /// in all at an 8 MiB budget, debug build).
    static let overheadKB = 48 << 10

    @Test(
        "kill -9 of a spilling seal (writing its first runs, merging them), then a re-run: the hour sealed, each event once, same bytes, nothing left",
        arguments: [3, 3000]
    )
    func killedSpillingSeal(runWrite occurrence: Int) throws {
        let hour = try SkewedHour(events: 20_000)
        let copy = hour.directory.file("unconstrained")
        #expect(try ProcessRunner.run("cp", ["-a", hour.root, copy]).status == 0)
        #expect(try ProcessRunner.archive(["seal", "--root", copy]).status == 0)
        // Runs are the only pwrite64 calls of this seal (about 3,070: each batch's lines and identities, then the
        // merges of the runs down to 64, which the 3,000th falls in); its sealed file is written with write.
        let killed = try ProcessRunner.run(
            "strace", ["-f", "-o", "/dev/null", "-e", "inject=pwrite64:signal=KILL:when=\(occurrence)", ProcessRunner.streamsArchive, "seal", "--root", hour.root,
                       "--memory-budget", "256K", "--workers", "1"]
        )
        #expect(killed.status != 0, "the kill landed")
        let rerun = try ProcessRunner.archive(["seal", "--root", hour.root, "--memory-budget", "256K", "--workers", "1"])
        #expect(rerun.status == 0, Comment(rawValue: rerun.stderr))
        #expect(try hour.sealedBytes() == hour.sealedBytes(root: copy))
        #expect(hour.sealingLeftovers.isEmpty, "\(hour.sealingLeftovers)")
        #expect(try ProcessRunner.archive(["verify", "--root", hour.root]).status == 0)
    }
}
