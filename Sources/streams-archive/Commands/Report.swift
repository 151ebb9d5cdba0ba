import ArgumentParser
import Reports
import StreamsArchive

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the campaign report for a date, or for a range of dates.",
        discussion: """
            Reads every finished and sealed file of the date's partitions in parallel and writes \
            ROOT/reports/date=D/: campaign_events.csv, campaigns.csv, campaign_breakdown.csv, report.json, \
            report.html, and _SUCCESS. If an input file is damaged the rest of the day is still reported: the \
            files are written with _INCOMPLETE (naming each file and byte offset) instead of _SUCCESS, report.json \
            says "complete": false, and the exit code is 2.

            With --from D1 --to D2 (both included, at most 366 days) it reads every date of the range together and \
            writes the same files to ROOT/reports/range=D1_D2/, with date_from,date_to in place of date: unique \
            users are distinct across the whole range. A range with a date that has no events here, or whose raw \
            events retention removed, is refused with exit code 2 and nothing written: restore those dates first.

            Every run then rewrites ROOT/reports/index.html, the home page over all reports.
            """
    )

    @OptionGroup var rootOptions: RootOptions

    @Option(help: "UTC date to report on (YYYY-MM-DD).")
    var date: UTCDate?

    @Option(help: "First UTC date of a range report (with --to).")
    var from: UTCDate?

    @Option(help: "Last UTC date of a range report, included (with --from).")
    var to: UTCDate?

    @Flag(help: "Also read files still being written (a live day; the report may then change on a re-run).")
    var includeOpen = false

    @OptionGroup var workerOptions: WorkerOptions
    @OptionGroup var memoryOptions: MemoryOptions


    func validate() throws {
        switch (date, from, to) {
        case (.some, nil, nil), (nil, .some, .some): break
        case (.some, _, _): throw ValidationError("give either --date, or --from and --to, not both")
        case (nil, nil, nil): throw ValidationError("give --date D for a daily report, or --from D1 --to D2 for a range")
        default: throw ValidationError("a range report needs both --from and --to")
        }
        _ = try period
    }

    private var period: ReportPeriod {
        get throws {
            if let date { return .day(date) }
            do { return try ReportPeriod(from: from!, to: to!) } catch { throw ValidationError(error.description) }
        }
    }

    func run() throws {
        let layout = rootOptions.layout
        let period = try period
        let started = System.monotonicSeconds()
        let progress = ReadProgress()
        let (report, directory) = try CommandFailure.reporting("report") {
            try rootOptions.requireArchive()
            let ticker = ProgressTicker {
                let seconds = max(System.monotonicSeconds() - started, 0.001)
                return "report \(period): \(progress.files)/\(progress.totalFiles) files, \(Terminal.megabytes(progress.bytes)) of "
                    + "\(Terminal.megabytes(progress.totalBytes)), \(Int(Double(progress.events) / seconds)) events/s"
            }
            defer { ticker.stop() }
            let report: CampaignReport
            do {
                report = try CampaignReportBuilder.build(
                    layout: layout, period: period, includeOpen: includeOpen, workers: workerOptions.workers, memoryBudget: try memoryOptions.budget,
                    progress: progress
                )
            } catch let unavailable as RangeUnavailable {
                throw CommandFailure(unavailable.description, code: CommandFailure.damagedData)
            }
            return (report, try ReportFiles.write(report, layout: layout))
        }
        for damage in report.damage { Terminal.error("damaged input: \(damage)") }
        let seconds = System.monotonicSeconds() - started
        let status = report.isComplete ? "" : " — INCOMPLETE: \(Set(report.damage.map(\.path)).count) damaged file(s), see \(ReportFiles.incompleteMarker)"
        Terminal.summary(
            "report \(period): \(report.events) events (\(report.campaignEvents) campaign events in \(report.campaigns.count) campaigns, "
                + "\(report.duplicates) duplicates dropped\(report.spilledUsers ? ", users counted through the disk (over the memory budget)" : "")\(report.readGroups > 1 ? ", read in \(report.readGroups) groups of hours (descriptor limit)" : "")) from \(report.files.count) files, \(Terminal.megabytes(Int(report.bytes))) in "
                + "\(String(format: "%.2f", seconds)) s → \(directory)\(status)"
        )
        if !report.isComplete { throw ExitCode(CommandFailure.damagedData) }
    }
}
