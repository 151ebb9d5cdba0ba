import Foundation
import Testing

/// Days generated with one seed (so they share its campaigns and users, as a real app's days do) and archived
/// into one root with `ingest`.
struct GeneratedDays {
    let directory: TestDirectory
    var root: String { directory.file("archive") }

    init(_ dates: [String], events: Int = 2000, _ name: String = #function) throws {
        directory = TestDirectory(name)
        for date in dates {
            let bodies = directory.file("day-\(date).jsonl")
            let generated = try ProcessRunner.archive(["generate", "--events", "\(events)", "--seed", "7", "--date", date, "--out", bodies])
            try #require(generated.status == 0, Comment(rawValue: generated.stderr))
            let ingested = try ProcessRunner.archive(["ingest", "--root", root, "--input", bodies])
            try #require(ingested.status == 0, Comment(rawValue: ingested.stderr))
        }
    }

    func range(_ from: String, _ to: String) throws -> ProcessRunner.Output {
        try ProcessRunner.archive(["report", "--root", root, "--from", from, "--to", to])
    }

    func json(_ directory: String) throws -> NSDictionary {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(root)/reports/\(directory)/report.json"))) as! NSDictionary
    }
}

@Suite("range reports")
struct RangeReportTests {
    static let dates = ["2026-11-24", "2026-11-25", "2026-11-26"]
    static let range = "range=2026-11-24_2026-11-26"

    /// Distinct uids per channel (every event) and per campaign (its campaign events) over the range's files,
    /// each event_uuid once, computed by DuckDB.
    static let distinctUsers = """
        import json, sys, duckdb
        root, dates = sys.argv[1], sys.argv[2:]
        files = [f"{root}/events/date={d}/*/*/*.jsonl.gz" for d in dates]
        c = duckdb.connect()
        c.execute(\"\"\"CREATE TEMP TABLE events AS SELECT DISTINCT ON (event_uuid) event_uuid, uid, event_type, channel,
            event_attributes.campaign_id AS campaign_id FROM read_json($files, format = 'newline_delimited', hive_partitioning = true,
            columns = {event_uuid: 'VARCHAR', uid: 'VARCHAR', event_type: 'VARCHAR',
                       event_attributes: 'STRUCT(campaign_id VARCHAR)'})\"\"\", {"files": files})
        channels = dict(c.execute("SELECT channel, count(DISTINCT uid) FROM events GROUP BY channel").fetchall())
        campaigns = dict(c.execute("SELECT coalesce(campaign_id, ''), count(DISTINCT uid) FROM events WHERE event_type = 'CAMPAIGN_EVENT' GROUP BY 1").fetchall())
        print(json.dumps({"channels": channels, "campaigns": campaigns}))
        """

    @Test("a range report over three days is DuckDB's, byte for byte, and its unique users are distinct across the days")
    func rangeMatchesDuckDB() throws {
        let days = try GeneratedDays(Self.dates)
        let run = try days.range(Self.dates[0], Self.dates[2])
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        let out = days.directory.file("duckdb.csv")
        let duck = try ProcessRunner.run("python3", [ReportDuckDBTests.script, days.root, "\(Self.dates[0])..\(Self.dates[2])", out])
        try #require(duck.status == 0, Comment(rawValue: duck.stderr))
        let written = try Data(contentsOf: URL(fileURLWithPath: "\(days.root)/reports/\(Self.range)/campaign_events.csv"))
        #expect(written == (try Data(contentsOf: URL(fileURLWithPath: out))))
        #expect(String(decoding: written, as: UTF8.self).hasPrefix("date_from,date_to,campaign_id,"))

        let oracle = try ProcessRunner.run("python3", ["-c", Self.distinctUsers, days.root] + Self.dates)
        try #require(oracle.status == 0, Comment(rawValue: oracle.stderr))
        let expected = try JSONSerialization.jsonObject(with: oracle.stdout) as! [String: [String: Int]]
        let json = try days.json(Self.range)
        #expect(json["date_from"] as? String == Self.dates[0] && json["date_to"] as? String == Self.dates[2])
        let channels = Dictionary(uniqueKeysWithValues: (json["channels"] as! [NSDictionary]).map { ($0["channel"] as! String, $0["users"] as! Int) })
        #expect(channels == expected["channels"]!)
        let campaigns = Dictionary(uniqueKeysWithValues: (json["campaigns"] as! [NSDictionary]).map { ($0["campaign_id"] as! String, $0["users"] as! Int) })
        #expect(campaigns == expected["campaigns"]!)
        #expect((json["days"] as! [NSDictionary]).map { $0["date"] as! String } == Self.dates)
    }

    @Test("a range's unique users are fewer than the sum of its days' where users come back on several days, and its events are the sum")
    func rangeUsersAreNotSummed() throws {
        let days = try GeneratedDays(Self.dates)
        #expect(try days.range(Self.dates[0], Self.dates[2]).status == 0)
        var dailyUsers: [String: Int] = [:]
        var dailyEvents = 0
        for date in Self.dates {
            #expect(try ProcessRunner.archive(["report", "--root", days.root, "--date", date]).status == 0)
            let json = try days.json("date=\(date)")
            dailyEvents += (json["totals"] as! NSDictionary)["events"] as! Int
            for campaign in json["campaigns"] as! [NSDictionary] { dailyUsers[campaign["campaign_id"] as! String, default: 0] += campaign["users"] as! Int }
        }
        let range = try days.json(Self.range)
        #expect((range["totals"] as! NSDictionary)["events"] as? Int == dailyEvents)
        let rangeUsers = Dictionary(uniqueKeysWithValues: (range["campaigns"] as! [NSDictionary]).map { ($0["campaign_id"] as! String, $0["users"] as! Int) })
        #expect(rangeUsers.allSatisfy { $0.value <= dailyUsers[$0.key]! })
        let fewer = rangeUsers.filter { $0.value < dailyUsers[$0.key]! }.count
        #expect(fewer > rangeUsers.count / 2, "users on several days count once in the range: \(fewer) of \(rangeUsers.count) campaigns")
    }

    @Test("a range with a date that has no events here (an empty hour directory at most) is refused with exit 2, naming the date and how to restore it, and writes nothing")
    func missingDateIsRefused() throws {
        let days = try GeneratedDays([Self.dates[0], Self.dates[2]], events: 500)
        try FileManager.default.createDirectory(atPath: "\(days.root)/events/date=\(Self.dates[1])/channel=email/hour=05", withIntermediateDirectories: true)
        let run = try days.range(Self.dates[0], Self.dates[2])
        #expect(run.status == 2)
        #expect(run.stderr.contains("no events under \(days.root)/events for \(Self.dates[1])") && run.stderr.contains("streams-archive restore"), Comment(rawValue: run.stderr))
        #expect(!FileManager.default.fileExists(atPath: "\(days.root)/reports"))
    }

    @Test("a range over dates whose raw events retention removed is refused with exit 2; restored from the bucket, it is reported as before")
    func retainedDatesAreRefusedUntilRestored() throws {
        let day = try ShippableDay()
        let (from, to) = (GeneratedDay.previousDate, GeneratedDay.date)
        let directory = "\(day.root)/reports/range=\(from)_\(to)"
        let tables = ["campaign_events.csv", "campaigns.csv", "campaign_breakdown.csv"]
        #expect(try ProcessRunner.archive(["report", "--root", day.root, "--from", from, "--to", to]).status == 0)
        let before = try tables.map { try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\($0)")) }
        try FileManager.default.removeItem(atPath: directory)
        #expect(try day.ship().status == 0)
        let retain = try ProcessRunner.archive(["retain", "--root", day.root, "--keep-days", "1", "--ship-to", day.destination], environment: day.server.environment)
        #expect(retain.status == 0, Comment(rawValue: retain.stderr))

        let refused = try ProcessRunner.archive(["report", "--root", day.root, "--from", from, "--to", to])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("the raw events of \(from) to \(to) were removed by retention"), Comment(rawValue: refused.stderr))
        #expect(!FileManager.default.fileExists(atPath: directory))

        for date in [from, to] {
            let restore = try ProcessRunner.archive(["restore", "--root", day.root, "--from", day.destination, "--date", date], environment: day.server.environment)
            #expect(restore.status == 0, Comment(rawValue: restore.stderr))
        }
        let again = try ProcessRunner.archive(["report", "--root", day.root, "--from", from, "--to", to])
        #expect(again.status == 0, Comment(rawValue: again.stderr))
        #expect(try tables.map { try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\($0)")) } == before)
    }

    @Test(
        "a range whose hours' locks do not fit the descriptor limit is read in groups of hours, users in memory or through the disk, with the same files as in one read",
        arguments: ["1G", "64K"]
    )
    func rangeFitsAnyDescriptorLimit(budget: String) throws {
        let days = try GeneratedDays(Self.dates, events: 1000, "rangeFitsAnyDescriptorLimit-\(budget)")
        #expect(try days.range(Self.dates[0], Self.dates[2]).status == 0)
        let directory = "\(days.root)/reports/\(Self.range)"
        let whole = try Self.contents(of: directory)
        try FileManager.default.removeItem(atPath: directory)
        // About 220 hours a day: 200 descriptors hold less than one day's locks.
        let limited = try ProcessRunner.run(
            "/bin/sh", ["-c", "ulimit -Sn 200 && ulimit -Hn 200 && exec \"$0\" report --root \"$1\" --from \"$2\" --to \"$3\" --memory-budget \"$4\"",
                        ProcessRunner.streamsArchive, days.root, Self.dates[0], Self.dates[2], budget]
        )
        #expect(limited.status == 0, Comment(rawValue: limited.stderr))
        #expect(limited.stderr.contains("groups of hours (descriptor limit)"), Comment(rawValue: limited.stderr))
        #expect(limited.stderr.contains("users counted through the disk") == (budget == "64K"), Comment(rawValue: limited.stderr))
        #expect(try Self.contents(of: directory) == whole)
    }

    @Test("Jobs/weekly-report.sh in cron's bare environment reports the previous ISO week, Monday to Sunday")
    func weeklyJobReportsThePreviousWeek() throws {
        let week = (23...29).map { "2026-11-\($0)" }
        let days = try GeneratedDays(week, events: 300)
        let environment = [
            "PATH": "/usr/bin:/bin", "STREAMS_ROOT": days.root, "STREAMS_BIN": ProcessRunner.streamsArchive, "STREAMS_WEEK_OF": "2026-12-02",
        ]
        let command = environment.map { "\($0.key)='\($0.value)'" }.sorted().joined(separator: " ")
        let run = try ProcessRunner.run("/bin/sh", ["-c", "cd / && exec env -i \(command) '\(NightlyPipelineTests.jobs)/weekly-report.sh'"])
        let log = (try? String(contentsOfFile: "\(days.root)/_logs/weekly-report.log", encoding: .utf8)) ?? ""
        #expect(run.status == 0, Comment(rawValue: log + run.stderr))
        #expect(log.contains("--from 2026-11-23 --to 2026-11-29"), Comment(rawValue: log))
        #expect(FileManager.default.fileExists(atPath: "\(days.root)/reports/range=2026-11-23_2026-11-29/_SUCCESS"))
        let json = try days.json("range=2026-11-23_2026-11-29")
        #expect((json["days"] as! [NSDictionary]).map { $0["date"] as! String } == week)
    }

    @Test("report refuses --date with --from, --from without --to, a reversed range and one over 366 days, with exit 64")
    func badRangesAreRefused() throws {
        for (arguments, message) in [
            (["--date", "2026-11-24", "--from", "2026-11-24", "--to", "2026-11-25"], "not both"),
            (["--from", "2026-11-24"], "both --from and --to"),
            (["--from", "2026-11-25", "--to", "2026-11-24"], "is before --from"),
            (["--from", "2025-01-01", "--to", "2026-11-24"], "at most 366"),
        ] {
            let run = try ProcessRunner.archive(["report", "--root", "/nonexistent"] + arguments)
            #expect(run.status == 64 && run.stderr.contains(message), Comment(rawValue: "\(arguments): \(run.stderr)"))
        }
    }

    /// Every file of a report directory, by name.
    static func contents(of directory: String) throws -> [String: Data] {
        Dictionary(uniqueKeysWithValues: try FileManager.default.contentsOfDirectory(atPath: directory).map {
            ($0, try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\($0)")))
        })
    }
}
