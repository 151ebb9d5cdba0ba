import Foundation
import Logging
import Reports
import StreamsArchive
import Testing

@Suite("parallel read of a day")
struct DayReaderTests {
    static let day = UTCDate("2026-03-14")!

    static func line(_ uuid: String, code: String) -> [UInt8] {
        Array(#"{"event_uuid":"\#(uuid)","event_code":"\#(code)","event_time":1773480000}"#.utf8)
    }

    /// Counts events per event_code.
    static func counts(_ files: [ScannedFile], workers: Int) -> (counts: [String: Int], outcome: DayReader.Outcome<[String: Int]>) {
        let plan = FieldPlan(topLevel: ["event_code"])
        let outcome = DayReader.read(files, plan: plan, workers: workers, make: { [String: Int]() }, enter: { _, _ in }) { counts, event in
            counts[event.text(plan.slot("event_code"))?.description ?? "?", default: 0] += 1
        }
        return (outcome.accumulators.reduce(into: [:]) { total, part in total.merge(part, uniquingKeysWith: +) }, outcome)
    }

    @Test("each event_uuid is counted once even when retries put copies in several files of its partition; 1 and 2 workers agree")
    func countsEachEventOnce() throws {
        let fixture = try ArchiveFixture()
        var expected: [String: Int] = [:]
        for hour in 0..<6 {
            let key = PartitionKey(date: Self.day, channel: hour % 2 == 0 ? .email : .push, hour: hour)
            for round in 0..<2 {
                for index in 0..<50 {
                    let code = ["MOE_EMAIL_SENT", "MOE_EMAIL_OPEN", "n_i_s"][index % 3]
                    fixture.writer.stage(Self.line("h\(hour)-e\(index)", code: code), in: .events(key))
                    if round == 0 { expected[code, default: 0] += 1 }
                }
                try fixture.writer.commit(now: .epochSeconds(1_773_480_000))
                try fixture.writer.finishAll()
            }
        }
        let files = try DayScan.files(layout: fixture.layout, date: Self.day, includeOpen: false)
        #expect(files.count == 12)
        let (one, outcomeOne) = Self.counts(files, workers: 1)
        let (two, outcomeTwo) = Self.counts(files, workers: 2)
        #expect(one == expected && two == expected)
        #expect(outcomeOne.duplicates == 300 && outcomeTwo.duplicates == 300)
        #expect(outcomeTwo.damage.isEmpty)
    }

    @Test("a torn file and a line that is not JSON are named with their offsets, and the rest of the day is still read")
    func damageIsReportedAndTheDayGoesOn() throws {
        let fixture = try ArchiveFixture()
        let good = PartitionKey(date: Self.day, channel: .sms, hour: 1)
        let torn = PartitionKey(date: Self.day, channel: .sms, hour: 2)
        for index in 0..<10 { fixture.writer.stage(Self.line("g\(index)", code: "SMS_SENT"), in: .events(good)) }
        fixture.writer.stage(Array("not json at all".utf8), in: .events(good))
        for index in 0..<10 { fixture.writer.stage(Self.line("t\(index)", code: "SMS_DELIVERED"), in: .events(torn)) }
        try fixture.writer.commit(now: .epochSeconds(1_773_480_000))
        try fixture.writer.finishAll()
        let tornFile = try #require(fixture.directory.files(under: "archive/events/date=2026-03-14/channel=sms/hour=02").first)
        let size = try FileManager.default.attributesOfItem(atPath: tornFile)[.size] as! Int
        try FileHandle(forWritingTo: URL(fileURLWithPath: tornFile)).truncate(atOffset: UInt64(size - 5))

        let (counts, outcome) = Self.counts(try DayScan.files(layout: fixture.layout, date: Self.day, includeOpen: false), workers: 2)
        #expect(counts["SMS_SENT"] == 10)
        #expect(outcome.damage.count == 2)
        let badLine = try #require(outcome.damage.first { $0.path.contains("hour=01") })
        #expect(badLine.offset == Int64(10 * (Self.line("g0", code: "SMS_SENT").count + 1)))
        let tornDamage = try #require(outcome.damage.first { $0.path == tornFile })
        #expect(tornDamage.offset == 0 && tornDamage.reason == "truncated")
    }
}
