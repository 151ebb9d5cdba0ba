import Foundation
import Reports
import StreamsArchive
import Testing

@Suite("scan of a day's partitions")
struct DayScanTests {
    @Test("finished files of the date are found; in-progress ones only when asked; other dates and stray files never")
    func findsTheDaysFiles() throws {
        let fixture = try ArchiveFixture(options: .init(maxFileBytes: 1))
        let day = UTCDate("2026-03-14")!
        let keys = [
            PartitionKey(date: day, channel: .email, hour: 0), PartitionKey(date: day, channel: .userAction, hour: 23),
            PartitionKey(date: day.adding(days: 1), channel: .email, hour: 0),
        ]
        for key in keys { fixture.writer.stage(Array(#"{"a":1}"#.utf8), in: .events(key)) }
        try fixture.writer.commit(now: .epochSeconds(1_773_600_000))
        let openWriter = try PartitionWriter(layout: fixture.layout, identity: WriterIdentity(layout: fixture.layout), logger: .init(label: "test"))
        openWriter.stage(Array(#"{"a":2}"#.utf8), in: .events(PartitionKey(date: day, channel: .sms, hour: 5)))
        try openWriter.commit(now: .epochSeconds(1_773_600_000))
        try FileManager.default.createDirectory(atPath: fixture.layout.eventsDirectory + "/date=2026-03-14/channel=../hour=01", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: fixture.layout.eventsDirectory + "/date=2026-03-14/channel=email/hour=00/notes.txt", contents: Data())

        let finished = try DayScan.files(layout: fixture.layout, date: day, includeOpen: false)
        #expect(finished.map(\.partition) == [keys[0], keys[1]])
        #expect(finished.allSatisfy { !$0.isOpen && $0.bytes > 0 })
        let all = try DayScan.files(layout: fixture.layout, date: day, includeOpen: true)
        #expect(all.count == 3)
        #expect(all.filter(\.isOpen).map(\.partition.channel) == [.sms])
        #expect(try DayScan.files(layout: fixture.layout, date: day.adding(days: 5), includeOpen: true).isEmpty)
    }
}
