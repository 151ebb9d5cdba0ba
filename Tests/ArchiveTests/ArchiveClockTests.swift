import Foundation
import StreamsArchive
import Testing

/// One injectable clock: what the writer, ingest and the receiver call "now" comes from it, in one unit.
@Suite("the archive's clock")
struct ArchiveClockTests {
    @Test("ingest under a fixed clock stamps received_at with its instant and files rejected bodies under its date")
    func ingestTakesTimeFromTheClock() throws {
        let fixture = try ArchiveFixture()
        let bodies = fixture.directory.file("bodies.jsonl")
        let body = #"{"app_name":"A","events":[{"event_uuid":"clock-1","event_time":1773480000,"event_code":"MOE_EMAIL_SENT"}]}"#
        try (body + "\nnot a body\n").write(toFile: bodies, atomically: true, encoding: .utf8)
        let instant = UTCInstant(millisecondsSinceEpoch: 1_790_000_123_456)  // 2026-09-21
        try BodyFileIngest(writer: fixture.writer).run(path: bodies, clock: FixedClock(instant)) { _ in }
        try fixture.writer.finishAll()
        let stored = try Bodies.object(Array(try #require(fixture.linesViaZcat().first).utf8))
        #expect(stored["received_at"] as? Int64 == 1_790_000_123_456)
        let rejected = fixture.directory.files(under: "archive/rejected")
        #expect(rejected.count == 1 && rejected[0].contains("/rejected/date=2026-09-21/"), "\(rejected)")
    }

    @Test("instants and durations: whole seconds round down, spans add and subtract exactly, dates follow UTC")
    func instantArithmetic() {
        let instant = UTCInstant(millisecondsSinceEpoch: 1_773_532_799_999)
        #expect(instant.secondsSinceEpoch == 1_773_532_799 && instant.date.description == "2026-03-14")
        #expect((instant + .milliseconds(1)).date.description == "2026-03-15")
        #expect((instant + .seconds(90)) - instant == .seconds(90))
        #expect(UTCInstant(millisecondsSinceEpoch: -1).secondsSinceEpoch == -1)
        #expect(PartitionKey(eventTime: 1_773_532_799, channel: .email).hourEndsAt == UTCInstant(secondsSinceEpoch: 1_773_532_800))
    }
}
