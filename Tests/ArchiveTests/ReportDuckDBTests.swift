import Foundation
import Testing

@Suite("campaign report against DuckDB")
struct ReportDuckDBTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Benchmarks/duckdb/campaign_events.py").path

    @Test("DuckDB (from pip), reading the same gzip partitions, writes a byte-identical campaign_events.csv")
    func duckDBAgrees() throws {
        let day = try GeneratedDay()
        #expect(try day.report().status == 0)
        for date in [GeneratedDay.date, GeneratedDay.previousDate] {
            #expect(try day.report(date).status == 0)
            let out = day.directory.file("duckdb-\(date).csv")
            let duck = try ProcessRunner.run("python3", [Self.script, day.root, date, out])
            try #require(duck.status == 0, Comment(rawValue: duck.stderr))
            #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == (try day.file("campaign_events.csv", date: date)), "\(date)")
        }
    }
}
