import Foundation
import Testing

/// The nightly job's Prometheus textfile, read back with prometheus_client's parser (PyPI), not ours.
@Suite("nightly metrics", .serialized)
struct NightlyMetricsTests {
    /// Every sample of the textfile, by name and labels (`name{label="value"}`), parsed by prometheus_client.
    static func samples(_ root: String) throws -> [String: Double] {
        let script = """
            import sys, json
            from prometheus_client.parser import text_string_to_metric_families
            samples = {}
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for sample in family.samples:
                    labels = ",".join('%s="%s"' % item for item in sorted(sample.labels.items()))
                    samples[sample.name + ("{" + labels + "}" if labels else "")] = sample.value
            print(json.dumps(samples))
            """
        let run = try ProcessRunner.run("python3", ["-c", script, "\(root)/_metrics/streams_nightly.prom"])
        try #require(run.status == 0, Comment(rawValue: run.stderr))
        return try #require(try JSONSerialization.jsonObject(with: Data(run.text.utf8)) as? [String: Double])
    }

    @Test("nightly writes a textfile that prometheus_client parses, holding the run's times, exit status, step seconds and counts")
    func textfileHoldsTheRun() throws {
        let day = try ReceivedDay(events: 1500)
        let before = Date().timeIntervalSince1970
        #expect(try day.nightly().status == 0)
        let after = Date().timeIntervalSince1970
        let samples = try Self.samples(day.root)
        let (start, end) = (try #require(samples["streams_nightly_last_run_start_timestamp_seconds"]), try #require(samples["streams_nightly_last_run_end_timestamp_seconds"]))
        #expect(before - 1 <= start && start <= end && end <= after + 1)
        #expect(samples["streams_nightly_last_run_exit_status"] == 0)
        #expect(samples["streams_nightly_last_success_timestamp_seconds"] == end)
        for step in ["seal", "report", "timelines", "verify"] {
            let seconds = try #require(samples["streams_nightly_last_run_step_seconds{step=\"\(step)\"}"], "\(step) in \(samples.keys.sorted())")
            #expect(seconds >= 0 && seconds <= end - start)
        }
        let uuids = Set(day.events.compactMap { $0["event_uuid"] as? String })
        // Every report the run built (the generated day's events spill into the next date), each read back.
        var reported = 0.0
        for path in day.directory.files(under: "archive/reports") where path.hasSuffix("/report.json") {
            let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? NSDictionary)
            reported += try #require((report["totals"] as? NSDictionary)?["events"] as? Double)
        }
        #expect(samples["streams_nightly_last_run_sealed_events"] == Double(uuids.count))
        #expect(samples["streams_nightly_last_run_reported_events"] == reported)
        #expect(samples["streams_nightly_last_run_shipped_events"] == 0 && samples["streams_nightly_last_run_problems"] == 0)
    }

    @Test("a run that finds damage records exit status 2 and its problems, and keeps the last success's time from the run before")
    func failedRunKeepsLastSuccess() throws {
        let day = try ReceivedDay(events: 800)
        #expect(try day.nightly().status == 0)
        let success = try #require(try Self.samples(day.root)["streams_nightly_last_success_timestamp_seconds"])
        let sealed = try #require(day.directory.files(under: "archive/events/date=\(GeneratedDay.date)") { $0.hasPrefix("sealed-") }.first)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: sealed))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: sealed))
        #expect(try day.nightly().status == 2)
        let samples = try Self.samples(day.root)
        #expect(samples["streams_nightly_last_run_exit_status"] == 2)
        #expect((samples["streams_nightly_last_run_problems"] ?? 0) >= 1)
        #expect(samples["streams_nightly_last_success_timestamp_seconds"] == success)
        #expect(try #require(samples["streams_nightly_last_run_start_timestamp_seconds"]) > success)
    }
}
