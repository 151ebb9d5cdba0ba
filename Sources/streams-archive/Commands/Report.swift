import ArgumentParser
import Reports
import StreamsArchive

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the daily campaign report for a date.",
        discussion: """
            Reads every finished and sealed file of the date's partitions in parallel and writes \
            ROOT/reports/date=D/: campaign_events.csv, campaigns.csv, campaign_breakdown.csv, report.json, \
            report.html, and _SUCCESS. If an input file is damaged the rest of the day is still reported: the \
            files are written with _INCOMPLETE (naming each file and byte offset) instead of _SUCCESS, report.json \
            says "complete": false, and the exit code is 2.
            """
    )

    @OptionGroup var rootOptions: RootOptions

    @Option(help: "UTC date to report on (YYYY-MM-DD).")
    var date: UTCDate

    @Flag(help: "Also read files still being written (a live day; the report may then change on a re-run).")
    var includeOpen = false

    @OptionGroup var workerOptions: WorkerOptions
    @OptionGroup var memoryOptions: MemoryOptions


    func run() throws {
        let layout = rootOptions.layout
        let started = System.monotonicSeconds()
        let progress = ReadProgress()
        let (report, directory) = try CommandFailure.reporting("report") {
            try rootOptions.requireArchive()
            let ticker = ProgressTicker {
                let seconds = max(System.monotonicSeconds() - started, 0.001)
                return "report \(date): \(progress.files)/\(progress.totalFiles) files, \(Terminal.megabytes(progress.bytes)) of "
                    + "\(Terminal.megabytes(progress.totalBytes)), \(Int(Double(progress.events) / seconds)) events/s"
            }
            defer { ticker.stop() }
            let report = try CampaignReportBuilder.build(
                layout: layout, date: date, includeOpen: includeOpen, workers: workerOptions.workers, memoryBudget: try memoryOptions.budget, progress: progress
            )
            return (report, try ReportFiles.write(report, layout: layout))
        }
        for damage in report.damage { Terminal.error("damaged input: \(damage)") }
        let seconds = System.monotonicSeconds() - started
        let status = report.isComplete ? "" : " — INCOMPLETE: \(Set(report.damage.map(\.path)).count) damaged file(s), see \(ReportFiles.incompleteMarker)"
        Terminal.summary(
            "report \(date): \(report.events) events (\(report.campaignEvents) campaign events in \(report.campaigns.count) campaigns, "
                + "\(report.duplicates) duplicates dropped\(report.spilledUsers ? ", users counted through the disk (over the memory budget)" : "")) from \(report.files.count) files, \(Terminal.megabytes(Int(report.bytes))) in "
                + "\(String(format: "%.2f", seconds)) s → \(directory)\(status)"
        )
        if !report.isComplete { throw ExitCode(CommandFailure.damagedData) }
    }
}
