import Foundation
import Testing

/// The snippets of docs/DATA.md and the Spark job, run as a data team would run them, on an archive filled
/// through the receiver and sealed by the nightly job.
@Suite("hand-off to data teams", .serialized)
struct HandOffTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The fenced block after `<!-- snippet NAME -->` in docs/DATA.md.
    static func snippet(_ name: String) throws -> String {
        let text = try String(contentsOfFile: "\(repository)/docs/DATA.md", encoding: .utf8)
        let marker = try #require(text.range(of: "<!-- snippet \(name) -->"))
        let afterFence = try #require(text.range(of: "```", range: marker.upperBound..<text.endIndex))
        let bodyStart = try #require(text[afterFence.upperBound...].firstIndex(of: "\n"))
        let end = try #require(text.range(of: "\n```", range: bodyStart..<text.endIndex))
        return String(text[text.index(after: bodyStart)..<end.lowerBound])
    }

    /// Runs a snippet from the directory holding `archive/`.
    static func run(_ name: String, in day: ReceivedDay, with interpreter: String) throws -> ProcessRunner.Output {
        let file = day.directory.file("snippet-\(name)")
        try snippet(name).write(toFile: file, atomically: true, encoding: .utf8)
        return try ProcessRunner.shell("cd '\(day.directory.path)' && \(interpreter) '\(file)' 2>'\(file).err'")
    }

    static func sealedDay() throws -> ReceivedDay {
        let day = try ReceivedDay(events: 3000)
        let nightly = try day.nightly()
        try #require(nightly.status == 0, Comment(rawValue: day.log))
        return day
    }

    static func distinctEvents(_ day: ReceivedDay) -> [NSDictionary] {
        var seen = Set<String>()
        return day.events.filter { seen.insert($0["event_uuid"] as! String).inserted && ExpectedReport.day(of: $0) == GeneratedDay.date }
    }

    @Test("every stored line validates against docs/schema/stored-event.schema.json")
    func linesMatchTheSchema() throws {
        let day = try Self.sealedDay()
        let script = """
            import glob, gzip, json, sys
            import jsonschema
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.Draft202012Validator(schema)
            count = 0
            for path in glob.glob(sys.argv[2] + "/events/*/*/*/*.jsonl.gz"):
                for line in gzip.open(path, "rt", encoding="utf-8"):
                    validator.validate(json.loads(line))
                    count += 1
            print(count)
            """
        let run = try ProcessRunner.run("python3", ["-c", script, "\(Self.repository)/docs/schema/stored-event.schema.json", day.root])
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        #expect(Int(run.text.trimmingCharacters(in: .whitespacesAndNewlines)) == Set(day.events.map { $0["event_uuid"] as! String }).count)
    }

    @Test("the zcat | jq, Python gzip and pandas snippets print what the archive holds")
    func shellAndPythonSnippets() throws {
        let day = try Self.sealedDay()
        let events = Self.distinctEvents(day)
        let opens = events.filter { $0["event_code"] as? String == "MOE_EMAIL_OPEN" && Expectations.partition(of: $0).contains("channel=email/") }
        let jq = try Self.run("zcat-jq", in: day, with: "sh")
        #expect(jq.status == 0)
        let printed = try jq.text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! NSDictionary }
        #expect(printed.count == opens.count && printed.allSatisfy { $0["uid"] != nil && $0["event_time"] is Int })

        let gzip = try Self.run("python-gzip", in: day, with: "python3")
        #expect(gzip.text == "events \(events.count)\n")

        let pandas = try Self.run("pandas", in: day, with: "python3")
        let hour = events.filter { Expectations.partition(of: $0).hasSuffix("channel=email/hour=09") }
        #expect(pandas.status == 0 && pandas.text.hasPrefix("\(hour.count) "), Comment(rawValue: pandas.text))
    }

    @Test("the DuckDB snippet and the Spark job each write exactly the campaign_events.csv that report wrote")
    func duckDBAndSparkAgreeWithReport() throws {
        let day = try Self.sealedDay()
        let report = try Data(contentsOf: URL(fileURLWithPath: "\(day.root)/reports/date=\(GeneratedDay.date)/campaign_events.csv"))
        let duck = try Self.run("duckdb", in: day, with: "python3")
        #expect(duck.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: day.directory.file("campaign_events.csv"))) == report)

        let out = day.directory.file("spark-report")
        let spark = try ProcessRunner.run("python3", ["\(Self.repository)/Jobs/spark/campaign_report.py", day.root, GeneratedDay.date, out])
        #expect(spark.status == 0, Comment(rawValue: String(spark.stderr.suffix(2000))))
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(out)/campaign_events.csv")) == report)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["campaign_events.csv"])
    }

    @Test("the Spark snippet's partition discovery counts each channel's events as report.json does")
    func sparkSnippet() throws {
        let day = try Self.sealedDay()
        let spark = try Self.run("spark", in: day, with: "python3")
        #expect(spark.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(day.root)/reports/date=\(GeneratedDay.date)/report.json"))) as! NSDictionary
        let expected = (json["channels"] as! [NSDictionary]).map { "\($0["channel"] as! String) \($0["events"] as! Int)" }.sorted()
        #expect(spark.text.split(separator: "\n").map(String.init).sorted() == expected)
    }

    @Test("the Athena table's partition projection names exactly the archive's partition directories")
    func athenaProjection() throws {
        let day = try Self.sealedDay()
        let ddl = try Self.snippet("athena")
        let channels = try #require(ddl.firstMatch(of: /'projection.channel.values' = '([^']+)'/)).1.split(separator: ",").map(String.init)
        let template = try #require(ddl.firstMatch(of: /'storage.location.template' = 's3:\/\/YOUR-BUCKET\/archive\/(events\/date=\$\{date\}\/channel=\$\{channel\}\/hour=\$\{hour\}\/)'/)).1
        #expect(ddl.contains("'projection.hour.range' = '0,23'") && ddl.contains("'projection.hour.digits' = '2'"))
        let partitions = Set(day.directory.files(under: "archive/events").map { String(($0 as NSString).deletingLastPathComponent.dropFirst(day.root.count + 1)) + "/" })
        for partition in partitions {
            let parts = partition.split(separator: "/")
            let (date, channel, hour) = (parts[1].dropFirst(5), String(parts[2].dropFirst(8)), parts[3].dropFirst(5))
            #expect(channels.contains(channel) && hour.count == 2 && Int(hour)! < 24)
            let expanded = String(template).replacingOccurrences(of: "${date}", with: date).replacingOccurrences(of: "${channel}", with: channel)
                .replacingOccurrences(of: "${hour}", with: hour)
            #expect(expanded == partition)
        }
    }

    @Test("demo receives a generated day over HTTP, runs the nightly pipeline and says where everything is")
    func demo() throws {
        let directory = TestDirectory()
        let out = directory.file("demo")
        let run = try ProcessRunner.archive(["demo", "--out", out, "--events", "3000"])
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        let report = try #require(run.text.split(separator: "\n").first { $0.hasPrefix("report:") }).split(separator: " ").last.map(String.init)
        #expect(FileManager.default.fileExists(atPath: try #require(report)))
        #expect(run.text.contains("a timeline:") && run.text.contains("time (UTC)"))
        #expect(run.stderr.contains("nightly") && run.stderr.contains("verify"))
        let again = try ProcessRunner.archive(["demo", "--out", out])
        #expect(again.status == 64 && again.stderr.contains("not empty"))
    }
}
