import Foundation
import StreamsArchive
import Testing

/// Batches spread over many hours never exhaust file descriptors: the writer holds at most its budget of
/// partition files open, and one request's trouble never turns the next requests into 503s.
@Suite("descriptor budget of the writer")
struct DescriptorBudgetTests {
    @Test("one commit into 300 hours holds at most 8 descriptors with a budget of 8, and every line lands; later appends reopen")
    func commitIntoManyHoursStaysInBudget() throws {
        var options = PartitionWriter.Options()
        options.maxOpenFiles = 8
        let fixture = try ArchiveFixture(options: options)
        let base: Int64 = 1_790_000_000
        for round in 0..<2 {
            for hour in 0..<300 {
                let key = PartitionKey(eventTime: base - Int64(hour) * 3600, channel: .email)
                fixture.writer.stage(Array(#"{"event_uuid":"r\#(round)-h\#(hour)"}"#.utf8), in: .events(key))
            }
            try fixture.writer.commit(now: .epochSeconds(base))
            #expect(fixture.writer.openDescriptorCount <= 8)
            #expect(fixture.writer.openFileCount == 300, "files stay in progress; only their descriptors close")
        }
        try fixture.writer.finishAll()
        let lines = try fixture.linesViaZcat()
        #expect(lines.count == 600 && Set(lines).count == 600)
        let files = fixture.directory.files(under: "archive/events") { ArchiveFileName.isFinished($0) }
        #expect(files.count == 300, "one file per hour: a suspended file is appended to again, not replaced")
        #expect(try ProcessRunner.run("gzip", ["-t"] + files).status == 0)
    }

    @Test("under ulimit -n 256, batches spanning thousands of hours get 200, and so does every request after them")
    func manyHoursUnderLowDescriptorLimit() throws {
        let directory = TestDirectory()
        let server = try ServerProcess(root: directory.file("archive"), descriptorLimit: 256)
        let base = 1_790_000_000
        for batch in 0..<2 {
            let events = (0..<1500).map { Bodies.event(uuid: "fd-\(batch)-\($0)", time: base - (batch * 1500 + $0) * 3600) }
            let reply = try server.post(Bodies.body(events))
            #expect(reply.status == 200 && reply.json == ["accepted": 1500, "duplicates": 0, "rejected": 0], "batch \(batch): \(reply.status)")
            let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(server.process.processIdentifier)/fd").count
            #expect(open < 256, "descriptors held: \(open)")
        }
        for single in 0..<3 {
            #expect(try server.post(Bodies.body([Bodies.event(uuid: "after-\(single)")])).status == 200)
        }
        #expect(server.stop() == 0)
        #expect(try Expectations.stored(root: directory.file("archive")).count == 3003)
    }
}
