import Foundation
import Testing

@Suite("report over its memory budget")
struct ReportSpillTests {
    static let outputs = ["campaign_events.csv", "campaigns.csv", "campaign_breakdown.csv", "report.json", "report.html"]

    @Test("users that outgrow the memory budget are counted through the disk: every report file byte-identical to the in-memory run's, no spill left")
    func spilledReportIsByteIdentical() throws {
        let day = try GeneratedDay()
        let copy = day.directory.file("unconstrained")
        #expect(try ProcessRunner.run("cp", ["-a", day.root, copy]).status == 0)
        let spilled = try day.report(GeneratedDay.date, ["--memory-budget", "64K"])
        #expect(spilled.status == 0, Comment(rawValue: spilled.stderr))
        #expect(spilled.stderr.contains("users counted through the disk"), Comment(rawValue: spilled.stderr))
        let inMemory = try ProcessRunner.archive(["report", "--root", copy, "--date", GeneratedDay.date])
        #expect(inMemory.status == 0 && !inMemory.stderr.contains("through the disk"), Comment(rawValue: inMemory.stderr))
        for name in Self.outputs {
            let ours = try Data(contentsOf: URL(fileURLWithPath: "\(day.root)/reports/date=\(GeneratedDay.date)/\(name)"))
            let theirs = try Data(contentsOf: URL(fileURLWithPath: "\(copy)/reports/date=\(GeneratedDay.date)/\(name)"))
            if name == "report.json" {
                // Its inputs name each file's inode and ctime, which differ in the copy; everything else is the same.
                let (mine, other) = try (Expectations.withoutInputs(ours), Expectations.withoutInputs(theirs))
                #expect(mine == other)
            } else {
                #expect(ours == theirs, "\(name)")
            }
        }
        let expected = ExpectedReport(events: day.events, date: GeneratedDay.date)
        #expect(try day.file("campaign_events.csv") == Data(expected.campaignEventsCSV))
        #expect(day.directory.files(under: "archive/_spill").isEmpty)
    }
}
