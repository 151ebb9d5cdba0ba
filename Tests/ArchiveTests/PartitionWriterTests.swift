import Foundation
import Logging
import StreamsArchive
import Testing

@Suite("durable partition writer")
struct PartitionWriterTests {
    static let hour = PartitionKey(date: UTCDate("2026-03-14")!, channel: .email, hour: 9)

    static func line(_ index: Int) -> String {
        #"{"event_uuid":"e-\#(index)","event_time":1773479000,"campaign_name":"Spring, \"big\" ☀","n":\#(index * 7919 % 100_003)}"#
    }

    @Test("a commit writes one member per partition that gzip -t passes and zcat reads back")
    func commitWritesReadableMembers() throws {
        let fixture = try ArchiveFixture()
        let other = PartitionKey(date: UTCDate("2026-03-14")!, channel: .sms, hour: 10)
        for index in 0..<500 { fixture.writer.stage(Array(Self.line(index).utf8), in: .events(index % 2 == 0 ? Self.hour : other)) }
        let report = try fixture.writer.commit(now: .epochSeconds(1_773_480_000))
        #expect(report.files == 2 && report.lines == 500)
        for file in fixture.directory.files(under: "archive/events") {
            #expect(try ProcessRunner.run("gzip", ["-t", file]).status == 0)
            #expect(try GzipFileReader(path: file).readAllLines().count == 250)
        }
        #expect(Set(try fixture.linesViaZcat()) == Set((0..<500).map(Self.line)))
    }

    @Test("members of many lines compress like gzip itself; members of one line make files several times larger")
    func manyLineMembersCompressWell() throws {
        let lines = (0..<2000).map { Array((Self.line($0) + "\n").utf8) }
        let encoder = try GzipMemberEncoder(level: 6)
        let batched = try stride(from: 0, to: lines.count, by: 100).map { try encoder.member(of: Array(lines[$0..<$0 + 100].joined())).count }.reduce(0, +)
        let single = try lines.map { try encoder.member(of: $0).count }.reduce(0, +)
        let directory = TestDirectory()
        try Data(lines.joined()).write(to: URL(fileURLWithPath: directory.file("all.jsonl")))
        let gzipSize = Int(try ProcessRunner.shell("gzip -6 -c '\(directory.file("all.jsonl"))' | wc -c").text.trimmingCharacters(in: .whitespacesAndNewlines))!
        #expect(Double(batched) <= Double(gzipSize) * 1.25, "100-line members: \(batched) bytes vs gzip -6 \(gzipSize)")
        #expect(Double(single) >= Double(gzipSize) * 3, "1-line members: \(single) bytes vs gzip -6 \(gzipSize)")
    }

    @Test("every commit fsyncs its files, and the directory of a file it created, before it returns")
    func commitFsyncsFileAndNewDirectory() throws {
        let directory = TestDirectory()
        let input = directory.file("bodies.jsonl")
        let bodies = (0..<3).map { batch in
            Bodies.body((0..<5).map { Bodies.event(uuid: "b\(batch)-\($0)") })
        }
        try Data(bodies.map { String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "\n", with: "") }.joined(separator: "\n").utf8)
            .write(to: URL(fileURLWithPath: input))
        let trace = directory.file("trace")
        let output = try ProcessRunner.run(
            "strace",
            ["-f", "-qq", "-o", trace, "-e", "trace=openat,pwrite64,fsync,write,rename", ProcessRunner.streamsArchive, "ingest",
             "--root", directory.file("archive"), "--input", input, "--commit-every", "1", "--checkpoints"]
        )
        #expect(output.status == 0, "\(output.stderr)")
        let calls = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        let partFile = calls.first { $0.contains("openat(") && $0.contains("_inprogress-") && $0.contains("O_CREAT") }
        let partFD = try #require(partFile?.split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespaces) })
        let hourDirectory = calls.first { $0.contains("openat(") && $0.contains("hour=09\"") && $0.contains("O_DIRECTORY") }
        #expect(hourDirectory != nil, "the new file's directory is opened for fsync")
        // Each checkpoint (stdout write) comes after a pwrite and an fsync of the partition file.
        var sawMemberSinceCheckpoint = false
        var sawFileSyncSinceCheckpoint = false
        var checkpoints = 0
        for call in calls {
            if call.contains("pwrite64(\(partFD),") { sawMemberSinceCheckpoint = true; sawFileSyncSinceCheckpoint = false }
            if call.contains("fsync(\(partFD))") { sawFileSyncSinceCheckpoint = true }
            if call.contains("write(1, \"committed") {
                checkpoints += 1
                #expect(sawMemberSinceCheckpoint && sawFileSyncSinceCheckpoint, "commit \(checkpoints) acknowledged before its fsync")
                sawMemberSinceCheckpoint = false
            }
        }
        #expect(checkpoints == 3)
        let firstCheckpoint = try #require(calls.firstIndex { $0.contains("write(1, \"committed") })
        let directorySync = calls[..<firstCheckpoint].contains { call in
            guard let fd = hourDirectory?.split(separator: "=").last?.trimmingCharacters(in: .whitespaces) else { return false }
            return call.contains("fsync(\(fd))")
        }
        #expect(directorySync, "the first commit syncs the directory it created a file in")
    }

    @Test("a file created in an hour directory another writer made is acknowledged only after every level above it is fsynced")
    func directoriesMadeByAnotherWriterAreSynced() throws {
        let directory = TestDirectory()
        let root = directory.file("archive")
        let levels = [root, "\(root)/events", "\(root)/events/date=2026-03-14", "\(root)/events/date=2026-03-14/channel=email"]
        // As a second receiver on the same root would find it: the hour exists, made by another process that
        // may not have fsynced its entry yet.
        try FileManager.default.createDirectory(atPath: "\(levels[3])/hour=09", withIntermediateDirectories: true)
        let input = directory.file("bodies.jsonl")
        try Data(String(decoding: Bodies.body([Bodies.event(uuid: "durable-1")]), as: UTF8.self).replacingOccurrences(of: "\n", with: "").utf8)
            .write(to: URL(fileURLWithPath: input))
        let trace = directory.file("trace")
        let output = try ProcessRunner.run(
            "strace",
            ["-f", "-qq", "-o", trace, "-e", "trace=openat,fsync,write", ProcessRunner.streamsArchive, "ingest",
             "--root", root, "--input", input, "--commit-every", "1", "--checkpoints"]
        )
        #expect(output.status == 0, "\(output.stderr)")
        let calls = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        let checkpoint = try #require(calls.firstIndex { $0.contains("write(1, \"committed") })
        for level in levels {
            // An openat of the level as a directory, then an fsync of that descriptor, both before the acknowledgement.
            let synced = calls[..<checkpoint].indices.contains { index in
                let call = calls[index]
                guard call.contains("openat("), call.contains("\"\(level)\""), call.contains("O_DIRECTORY"),
                    let fd = call.split(separator: "=").last?.trimmingCharacters(in: .whitespaces), Int(fd) != nil
                else { return false }
                return calls[(index + 1)..<checkpoint].contains { $0.contains("fsync(\(fd))") }
            }
            #expect(synced, "\(level) is fsynced before the first commit is acknowledged")
        }
    }

    @Test("a file rolls over to a new file once it reaches the size limit, and the full one gets its final name")
    func rollsOverBySize() throws {
        let fixture = try ArchiveFixture(options: .init(level: 1, maxFileBytes: 1024))
        for round in 0..<6 {
            for index in 0..<200 { fixture.writer.stage(Array(Self.line(round * 1000 + index).utf8), in: .events(Self.hour)) }
            try fixture.writer.commit(now: .epochSeconds(1_773_480_000))
        }
        let finished = fixture.directory.files(under: "archive/events") { ArchiveFileName.isFinished($0) }
        #expect(finished.count == 6)
        #expect(fixture.writer.openFileCount == 0)
        #expect(try fixture.linesViaZcat().count == 1200)
    }

    @Test("a file is finished once its hour is over and it has been idle, not before")
    func finishesIdleFilesAfterTheirHour() throws {
        let fixture = try ArchiveFixture(options: .init(idle: .seconds(300)))
        let end = Self.hour.hourEndsAt
        fixture.writer.stage(Array(Self.line(1).utf8), in: .events(Self.hour))
        try fixture.writer.commit(now: end - .seconds(1000))
        try fixture.writer.finishIdle(now: end - .seconds(100))
        #expect(fixture.writer.openFileCount == 1, "idle for 900 s, but the hour is not over")
        try fixture.writer.finishIdle(now: end + .seconds(1))
        #expect(fixture.writer.openFileCount == 0, "the hour is over and the file idle")

        fixture.writer.stage(Array(Self.line(2).utf8), in: .events(Self.hour))
        try fixture.writer.commit(now: end + .seconds(50))
        try fixture.writer.finishIdle(now: end + .seconds(200))
        #expect(fixture.writer.openFileCount == 1, "late data arrived 150 s ago")
        try fixture.writer.finishIdle(now: end + .seconds(350))
        #expect(fixture.writer.openFileCount == 0)
        #expect(fixture.directory.files(under: "archive/events") { ArchiveFileName.isFinished($0) }.count == 2)
    }

    @Test("reopening an in-progress file cuts a torn member, keeps every committed line, and later appends read back")
    func reopeningCutsTornMember() throws {
        let fixture = try ArchiveFixture()
        for index in 0..<300 { fixture.writer.stage(Array(Self.line(index).utf8), in: .events(Self.hour)) }
        try fixture.writer.commit(now: .epochSeconds(1_773_480_000))
        let path = try #require(fixture.directory.files(under: "archive/events").first)
        let committedSize = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        // What a crash mid-append leaves: part of the next member.
        let next = try GzipMemberEncoder(level: 6).member(of: Array(Self.line(999).utf8) + [0x0A])
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: next.prefix(next.count - 9))
        try handle.close()
        #expect(try ProcessRunner.run("gzip", ["-t", path]).status != 0)

        let (file, torn) = try InProgressFile.reopen(path: path, directory: .events(Self.hour), now: .epochSeconds(1_773_480_100))
        #expect(torn?.keptBytes == Int64(committedSize))
        #expect(torn?.problem == .truncated)
        #expect(try ProcessRunner.run("gzip", ["-t", path]).status == 0)
        try file.append(member: try GzipMemberEncoder(level: 6).member(of: Array(Self.line(1000).utf8) + [0x0A]), now: .epochSeconds(1_773_480_100))
        try file.sync()
        let lines = try ProcessRunner.run("zcat", [path]).text.split(separator: "\n").map(String.init)
        #expect(lines == (0..<300).map(Self.line) + [Self.line(1000)])
    }

    @Test("recovery repairs and finishes a dead writer's files and leaves a live writer's files alone")
    func recoveryFinishesOnlyDeadWritersFiles() throws {
        let fixture = try ArchiveFixture()
        fixture.writer.stage(Array(Self.line(1).utf8), in: .events(Self.hour))
        try fixture.writer.commit(now: .epochSeconds(1_773_480_000))
        let recoveredWhileAlive = try ArchiveRecovery.recover(layout: fixture.layout, logger: Logger(label: "test"))
        #expect(recoveredWhileAlive.isEmpty, "the writer is alive: its lock is held")

        let child = try ProcessRunner.shell(
            "\(ProcessRunner.streamsArchive) generate --events 3000 --date 2026-03-14 --seed 5 --out '\(fixture.directory.file("in.jsonl"))'"
        )
        #expect(child.status == 0)
        // A writer in another process that dies holding open files: run ingest and kill it mid-run.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessRunner.streamsArchive)
        process.arguments = ["ingest", "--root", fixture.layout.root, "--input", fixture.directory.file("in.jsonl"), "--commit-every", "1", "--checkpoints"]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        _ = stdout.fileHandleForReading.availableData  // the first checkpoint: files exist
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let openBefore = fixture.directory.files(under: "archive/events") { ArchiveFileName.isInProgress($0) }
        let recovered = try ArchiveRecovery.recover(layout: fixture.layout, logger: Logger(label: "test"))
        let openAfter = fixture.directory.files(under: "archive/events") { ArchiveFileName.isInProgress($0) }
        #expect(!recovered.isEmpty)
        #expect(openAfter.count == 1, "only the live writer's file is still in progress")
        #expect(openBefore.count == recovered.count + 1)
        for file in fixture.directory.files(under: "archive/events") {
            #expect(try ProcessRunner.run("gzip", ["-t", file]).status == 0, "\(file)")
        }
    }
}

@Suite("serve: fsync before 200, traced")
struct ServeFsyncOrderTests {
    @Test("every 200 on the socket comes after the fsync of every file written for it, and of the directory of any file it created")
    func fsyncPrecedesEvery200() throws {
        let directory = TestDirectory()
        let trace = directory.file("trace")
        let server = try ServerProcess(
            root: directory.file("archive"), tracer: ["strace", "-f", "-qq", "-s", "48", "-o", trace, "-e", "trace=openat,pwrite64,fsync,write,writev,sendmsg"]
        )
        // Eight batches one after another, spread over three hours and two channels, so new files and directories
        // appear between acknowledgements as well as appends to existing files.
        var statuses: [Int] = []
        for batch in 0..<8 {
            let events = (0..<5).map { index in
                Bodies.event(uuid: "traced-\(batch)-\(index)", time: 1_773_480_000 + 3600 * (batch % 3), channel: batch % 2 == 0 ? "Email" : "SMS")
            }
            statuses.append(try server.post(Bodies.body(events)).status)
        }
        #expect(statuses == Array(repeating: 200, count: 8))
        let serve = try #require(Int32(try ProcessRunner.run("pgrep", ["-P", "\(server.process.processIdentifier)"]).text.trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(serve, SIGTERM)
        server.process.waitUntilExit()

        // Replays the trace: descriptors written but not yet fsynced, and directories that gained a file but were
        // not yet fsynced, must both be empty whenever a 200 is written to a socket.
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        var pathOf: [String: String] = [:]  // fd -> path, from openat results
        var dirty = Set<String>()  // fds of partition files written since their last fsync
        var pendingDirectories = Set<String>()  // directories that gained a file since their last fsync
        var acknowledgements = 0
        func result(_ line: String) -> String? {
            guard let equals = line.range(of: " = ", options: .backwards) else { return nil }  // strace pads before "="
            return line[equals.upperBound...].split(separator: " ").first.map(String.init)
        }
        // Threads interleave: a call cut by another thread's shows as "<unfinished ...>" and resumes on a later
        // line. A call counts where it completes; a 200 counts where its write starts (the earlier, stricter).
        var unfinished: [Substring: String] = [:]
        for line in lines {
            let pid = line.prefix { $0 != " " }
            var call = line.drop { $0 != " " }.trimmingCharacters(in: .whitespaces)
            if call.hasSuffix("<unfinished ...>") {
                let started = String(call.dropLast("<unfinished ...>".count))
                if started.contains("HTTP/1.1 200") && (started.hasPrefix("write") || started.hasPrefix("sendmsg")) {
                    acknowledgements += 1
                    #expect(dirty.isEmpty, "200 number \(acknowledgements) written before fsync of \(dirty.compactMap { pathOf[$0] })")
                    #expect(pendingDirectories.isEmpty, "200 number \(acknowledgements) written before fsync of directories \(pendingDirectories)")
                    continue
                }
                unfinished[pid] = started
                continue
            }
            if call.hasPrefix("<..."), let resumed = call.range(of: "resumed>") {
                guard let started = unfinished.removeValue(forKey: pid) else { continue }
                call = started + call[resumed.upperBound...]
            }
            if call.hasPrefix("openat("), let quoted = call.split(separator: "\"").dropFirst().first, let fd = result(call), Int(fd) ?? -1 >= 0 {
                pathOf[fd] = String(quoted)
                if quoted.hasSuffix(".jsonl.gz.part") && call.contains("O_CREAT") { pendingDirectories.insert((String(quoted) as NSString).deletingLastPathComponent) }
            } else if call.hasPrefix("pwrite64("), let fd = call.dropFirst(9).split(separator: ",").first, pathOf[String(fd)]?.contains("/events/") == true {
                dirty.insert(String(fd))
            } else if call.hasPrefix("fsync("), let fd = call.dropFirst(6).split(separator: ")").first, result(call) == "0" {
                dirty.remove(String(fd))
                if let path = pathOf[String(fd)] { pendingDirectories.remove(path) }
            } else if call.contains("HTTP/1.1 200") && (call.hasPrefix("write") || call.hasPrefix("sendmsg")) {
                acknowledgements += 1
                #expect(dirty.isEmpty, "200 number \(acknowledgements) written before fsync of \(dirty.compactMap { pathOf[$0] })")
                #expect(pendingDirectories.isEmpty, "200 number \(acknowledgements) written before fsync of directories \(pendingDirectories)")
            }
        }
        #expect(acknowledgements == 8, "every 200 was seen in the trace")
    }
}
