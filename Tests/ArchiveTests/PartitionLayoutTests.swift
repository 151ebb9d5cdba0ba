import Foundation
import StreamsArchive
import Testing

@Suite("partition layout")
struct PartitionLayoutTests {
    @Test("UTC dates agree with Foundation's Gregorian calendar from 1970 to 2400")
    func utcDatesAgreeWithFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        var random = TestRandom(seed: 3)
        for _ in 0..<5000 {
            let seconds = Int64.random(in: 0..<13_569_465_600, using: &random)
            let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            let date = UTCDate(epochSeconds: seconds)
            #expect(date.description == expected)
            #expect(UTCDate(expected) == date)
        }
    }

    @Test("malformed dates are refused", arguments: ["2026-02-29", "2026-13-01", "2026-1-01", "26-01-01", "2026-01-01T00", "", "2026/01/01", "２０２６-01-01"])
    func malformedDatesAreRefused(text: String) {
        #expect(UTCDate(text) == nil)
    }

    @Test("only the directory names this project writes are partitions", arguments: ["hour=+1", "hour=-0", "hour=1", "hour=001", "hour=24", "hour=٠٣", "hour=0x"])
    func strayHourNamesAreNotPartitions(_ hourName: String) {
        #expect(PartitionKey(dateName: "date=2026-03-14", channelName: "channel=email", hourName: hourName) == nil)
        #expect(PartitionKey(dateName: "date=2026-03-14", channelName: "channel=email", hourName: "hour=03") == PartitionKey(date: UTCDate("2026-03-14")!, channel: .email, hour: 3))
    }

    @Test("the hour boundaries of event_time pick the partition: 23:59:59 and 00:00:00 fall on different days")
    func hourBoundaries() {
        let midnight = UTCDate("2024-02-29")!.startEpochSeconds
        #expect(PartitionKey(eventTime: midnight - 1, channel: .email).relativePath == "events/date=2024-02-28/channel=email/hour=23")
        #expect(PartitionKey(eventTime: midnight, channel: .email).relativePath == "events/date=2024-02-29/channel=email/hour=00")
        #expect(PartitionKey(eventTime: midnight + 3600 * 13 + 59, channel: .userAction).relativePath == "events/date=2024-02-29/channel=user_action/hour=13")
    }

    @Test("no path component comes from raw input: hostile values in every field land in fixed partition names")
    func hostileValuesNeverReachPaths() throws {
        let hostile = "../../../../tmp/x/\u{0}/..\\.."
        let event = Bodies.event(
            uuid: hostile, code: hostile, type: hostile, channel: hostile,
            extra: ["uid": hostile, "event_name": hostile, "event_attributes": ["campaign_id": hostile, "campaign_channel": hostile]]
        )
        let batch = try Bodies.parse(Bodies.body([event], appName: hostile, requestID: hostile))
        let path = try #require(batch.accepted.first).partition.relativePath
        #expect(path == "events/date=2026-03-14/channel=other/hour=09")
    }

    @Test("in-progress files are skipped by *.jsonl.gz globs and by Spark and Hive, and finish under a .jsonl.gz name")
    func fileNamesHideInProgressFiles() {
        let open = ArchiveFileName.inProgress(writer: "20261128T000000Z-abcd1234", sequence: 7)
        #expect(open.hasPrefix("_"))
        #expect(!open.hasSuffix(".jsonl.gz"))
        #expect(fnmatch("*.jsonl.gz", open, 0) != 0)
        #expect(ArchiveFileName.isInProgress(open))
        let finished = ArchiveFileName.finishedName(forInProgress: open)
        #expect(finished == "part-20261128T000000Z-abcd1234-000007.jsonl.gz")
        #expect(fnmatch("*.jsonl.gz", finished, 0) == 0)
        #expect(ArchiveFileName.isFinished(finished) && !ArchiveFileName.isFinished(open))
    }
}
