import Foundation
import Testing

/// A skewed day: one campaign sent to `users` distinct users, each reaching five funnel stages, archived with
/// `ingest` and sealed: what makes the report's user sets and the timelines' buckets large.
struct BigCampaignDay {
    let directory: TestDirectory
    var root: String { directory.file("archive") }
    static let codes = ["MOE_EMAIL_SENT", "MOE_EMAIL_DELIVERED", "MOE_EMAIL_OPEN", "MOE_EMAIL_CLICK", "MOE_EMAIL_UNSUBSCRIBE"]
    static let dayStart = 1_795_737_600

    init(users: Int, _ name: String = #function) throws {
        directory = TestDirectory(name)
        var bodies = ""
        var batch: [String] = []
        var number = 0
        for user in 0..<users {
            for code in Self.codes {
                number += 1
                batch.append(
                    #"{"event_uuid":"e-\#(number)","event_time":\#(Self.dayStart + (number &* 7919) % 86_400),"event_code":"\#(code)","event_type":"CAMPAIGN_EVENT","uid":"user-\#(user)","event_attributes":{"campaign_id":"big-campaign","campaign_name":"Spring sale","campaign_channel":"Email"}}"#
                )
                if batch.count == 100 {
                    bodies += #"{"app_name":"Acme","source":"MOENGAGE","moe_request_id":"r\#(number)","events":[\#(batch.joined(separator: ","))]}"# + "\n"
                    batch.removeAll(keepingCapacity: true)
                }
            }
        }
        let input = directory.file("bodies.jsonl")
        try bodies.write(toFile: input, atomically: true, encoding: .utf8)
        let ingest = try ProcessRunner.archive(["ingest", "--root", directory.file("archive"), "--input", input])
        try #require(ingest.status == 0, Comment(rawValue: ingest.stderr))
        try #require(try ProcessRunner.archive(["seal", "--root", directory.file("archive"), "--grace", "0"]).status == 0)
    }

    /// Peak RSS in KB of a `streams-archive` run with an 8 MiB budget, from the child's rusage (GNU time).
    func peakKB(_ command: String, expecting summary: String) throws -> Int {
        let (run, peak) = try ProcessRunner.archiveWithPeakRSS([command, "--root", root, "--date", GeneratedDay.date, "--memory-budget", "8M"])
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        #expect(run.stderr.contains(summary), Comment(rawValue: run.stderr))
        return try #require(peak)
    }
}

@Suite("the memory budget holds")
struct MemoryBudgetTests {
    /// What a step holds beside the budget: the binary and its libraries (about 35 MB, debug build), read and
    /// write buffers. Measured with 8 MiB, debug build: report 49 MB (131 MB without a budget), timelines 49 MB.
    static let overheadKB = 48 << 10

    @Test("report of one campaign sent to 100,000 users across five codes peaks under an 8 MiB budget plus a fixed overhead")
    func reportWithinBudget() throws {
        let day = try BigCampaignDay(users: 100_000)
        let peak = try day.peakKB("report", expecting: "users counted through the disk")
        #expect(peak < (8 << 10) + Self.overheadKB, "peak RSS \(peak) KB")
        let csv = try String(contentsOfFile: "\(day.root)/reports/date=\(GeneratedDay.date)/campaign_events.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").dropFirst().allSatisfy { $0.hasSuffix(",100000,100000") }, "every code: 100,000 events by 100,000 users")
    }

    @Test("timelines of the same day (100,000 users) peak under an 8 MiB budget plus a fixed overhead")
    func timelinesWithinBudget() throws {
        let day = try BigCampaignDay(users: 100_000)
        let peak = try day.peakKB("timelines", expecting: "500000 events of 100000 users")
        #expect(peak < (8 << 10) + Self.overheadKB, "peak RSS \(peak) KB")
    }
}

/// One user with `events` events of about 400 bytes each, archived, sealed and built into timelines under
/// an 8 MiB budget: a member far larger than what a lookup may hold.
struct BusyUserDay {
    let directory: TestDirectory
    var root: String { directory.file("archive") }
    static let padding = String(repeating: "x", count: 200)

    init(events: Int, _ name: String = #function) throws {
        directory = TestDirectory(name)
        var bodies = ""
        var batch: [String] = []
        for number in 0..<events {
            batch.append(
                #"{"event_uuid":"e-\#(number)","event_time":\#(BigCampaignDay.dayStart + (number &* 7919) % 86_400),"event_code":"Product Viewed","event_type":"USER_ACTION_EVENT","uid":"busy-user","event_attributes":{"note":"\#(Self.padding)"}}"#
            )
            if batch.count == 100 || number == events - 1 {
                bodies += #"{"app_name":"Acme","source":"MOENGAGE","moe_request_id":"r\#(number)","events":[\#(batch.joined(separator: ","))]}"# + "\n"
                batch.removeAll(keepingCapacity: true)
            }
        }
        let input = directory.file("bodies.jsonl")
        try bodies.write(toFile: input, atomically: true, encoding: .utf8)
        let ingest = try ProcessRunner.archive(["ingest", "--root", root, "--input", input])
        try #require(ingest.status == 0, Comment(rawValue: ingest.stderr))
        try #require(try ProcessRunner.archive(["seal", "--root", root, "--grace", "0"]).status == 0)
        let build = try ProcessRunner.archive(["timelines", "--root", root, "--date", GeneratedDay.date, "--memory-budget", "8M"])
        try #require(build.status == 0, Comment(rawValue: build.stderr))
    }
}

@Suite("a timeline lookup streams")
struct TimelineLookupMemoryTests {
    @Test("looking up a user with 150,000 events (a 60 MB member) prints them all in order, peaking under the fixed overhead")
    func lookupOfABusyUserStreams() throws {
        let day = try BusyUserDay(events: 150_000)
        let (run, peakKB) = try ProcessRunner.archiveWithPeakRSS(["timeline", "--root", day.root, "--uid", "busy-user"])
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        let lines = run.text.split(separator: "\n")
        #expect(lines.count == 150_000)
        #expect(lines.allSatisfy { $0.contains(#""uid":"busy-user""#) })
        let times = lines.compactMap { line in line.firstRange(of: #""event_time":"#).flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) } }
        #expect(times.count == 150_000 && zip(times, times.dropFirst()).allSatisfy { $0 <= $1 }, "oldest first")
        let member = lines.reduce(0) { $0 + $1.utf8.count + 1 }
        let peak = try #require(peakKB)
        #expect(member > MemoryBudgetTests.overheadKB << 10, "the member (\(member) bytes) is larger than the overhead allowed")
        #expect(peak < MemoryBudgetTests.overheadKB, "peak RSS \(peak) KB for a \(member)-byte member")
    }
}
