import ArgumentParser
import Reports
import StreamsArchive

struct Timelines: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build per-user event timelines for a date.",
        discussion: """
            Writes ROOT/timelines/date=D/: every uid's events of the day, each event_uuid once, in \
            (event_time, event_uuid) order, in buckets by a stable hash of the uid, with an index per bucket and \
            _INDEX.json. The day is shuffled into buckets on disk and each bucket sorted on its own, so memory \
            does not grow with the day; the new version replaces the old atomically. If an input file is damaged \
            the timelines are still built from the rest, _INDEX.json says "complete": false, and the exit code is 2.
            """
    )

    @OptionGroup var rootOptions: RootOptions

    @Option(help: "UTC date to build (YYYY-MM-DD).")
    var date: UTCDate

    @OptionGroup var workerOptions: WorkerOptions
    @OptionGroup var memoryOptions: MemoryOptions


    func run() throws {
        let layout = rootOptions.layout
        let started = System.monotonicSeconds()
        let progress = ReadProgress()
        let summary = try CommandFailure.reporting("timelines") {
            try rootOptions.requireArchive()
            let ticker = ProgressTicker {
                "timelines \(date): read \(progress.files)/\(progress.totalFiles) files, \(Terminal.megabytes(progress.bytes)) of "
                    + "\(Terminal.megabytes(progress.totalBytes)), then sorting buckets"
            }
            defer { ticker.stop() }
            return try TimelineBuilder.build(
                layout: layout, date: date, workers: workerOptions.workers, memoryBudget: try memoryOptions.budget, progress: progress
            )
        }
        for damage in summary.damage { Terminal.error("damaged input: \(damage)") }
        let seconds = System.monotonicSeconds() - started
        Terminal.summary(
            "timelines \(date): \(summary.events) events of \(summary.users) users in \(summary.buckets) buckets "
                + "(\(summary.duplicates) duplicates dropped, \(summary.withoutUID) events without uid, \(summary.spilledBuckets) sorted through the disk) from \(summary.files.count) files, "
                + "\(Terminal.megabytes(Int(summary.bytesWritten))) written in \(String(format: "%.2f", seconds)) s → \(summary.directory)"
                + (summary.damage.isEmpty ? "" : " — INCOMPLETE: \(Set(summary.damage.map(\.path)).count) damaged file(s)")
        )
        if !summary.damage.isEmpty { throw ExitCode(CommandFailure.damagedData) }
    }
}
