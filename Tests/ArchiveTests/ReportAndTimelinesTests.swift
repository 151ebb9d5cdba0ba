import Foundation
import Testing

/// `nightly` builds a date's report and timelines from one read of its files. The oracle is the report and
/// timelines commands run alone on the same archive afterwards, each reading the day for itself.
@Suite("nightly: report and timelines from one read")
struct ReportAndTimelinesTests {
    static let date = GeneratedDay.date

    /// Every file of the date's report, name → bytes.
    static func report(_ root: String) throws -> [String: Data] {
        let directory = "\(root)/reports/date=\(date)"
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)"))
        }
        return files
    }

    @Test(
        "nightly reads the day once for its report and timelines, which are byte for byte what report and timelines write alone",
        arguments: [nil, "256K"]
    )
    func oneReadMatchesEachAlone(budget: String?) throws {
        let day = try GeneratedDay()
        let budgetOption = budget.map { ["--memory-budget", $0] } ?? []
        let nightly = try ProcessRunner.archive(["nightly", "--root", day.root, "--date", Self.date] + budgetOption)
        #expect(nightly.status == 0, Comment(rawValue: nightly.stderr))
        #expect(nightly.stderr.contains("report \(Self.date): ") && nightly.stderr.contains("the day read once for this and its timelines"), Comment(rawValue: nightly.stderr))
        let (report, timelines) = try (Self.report(day.root), TimelineSpillTests.published(day.root))

        let reportAlone = try ProcessRunner.archive(["report", "--root", day.root, "--date", Self.date] + budgetOption)
        #expect(reportAlone.status == 0, Comment(rawValue: reportAlone.stderr))
        let timelinesAlone = try ProcessRunner.archive(["timelines", "--root", day.root, "--date", Self.date] + budgetOption)
        #expect(timelinesAlone.status == 0, Comment(rawValue: timelinesAlone.stderr))
        let (reportAgain, timelinesAgain) = try (Self.report(day.root), TimelineSpillTests.published(day.root))

        #expect(report.count >= 4 && Set(report.keys) == Set(reportAgain.keys))
        for (name, bytes) in report { #expect(bytes == reportAgain[name], "report: \(name)") }
        #expect(timelines.count > 10 && Set(timelines.keys) == Set(timelinesAgain.keys))
        for (name, bytes) in timelines { #expect(bytes == timelinesAgain[name], "timelines: \(name)") }
    }
}
