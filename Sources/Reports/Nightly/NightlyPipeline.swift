import Logging
import StreamsArchive

/// `nightly`: seal → report → timelines → verify (→ ship → retain), for a date and every earlier date whose
/// partitions changed since they were last reported; what cron runs.
///
/// One run at a time per root (an flock on `ROOT/_nightly.lock`). Idempotent: a date whose report and
/// timelines were built from exactly the files it has now is not rebuilt, so a second run changes nothing.
public final class NightlyPipeline {
    /// What one nightly run does: the date, the workers, and the optional steps (ship, retention).
    public struct Options: Sendable {
        public var date: UTCDate
        public var keepDays: Int?
        /// Ship to object storage after verify; retention then removes only what is confirmed there.
        public var ship: ShipStep?
        /// Without a ship step, let retention remove raw events that exist nowhere else.
        public var deleteUnshipped = false
        /// How long after an hour ends before it is sealed.
        public var grace: Duration = .seconds(3600)
        public var workers = System.coreCount
        /// What seal, report and timelines may hold of the day's data in memory (split between their workers)
        /// before they spill to disk.
        public var memoryBudget = MemoryBudget.machineDefault

        public init(date: UTCDate, keepDays: Int? = nil) {
            self.date = date
            self.keepDays = keepDays
        }
    }

    /// How a run (or one step) ended; a run's outcome is its worst step's.
    public enum Outcome: Int, Comparable, Sendable {
        /// Every step succeeded.
        case ok
        /// A step found damaged data (an incomplete report, verify problems); the rest was done.
        case damagedData
        /// A step failed.
        case failed

        public static func < (lhs: Outcome, rhs: Outcome) -> Bool { lhs.rawValue < rhs.rawValue }

        /// The exit status a run with this outcome ends with.
        public var exitStatus: Int32 {
            switch self {
            case .ok: 0
            case .damagedData: 2
            case .failed: 1
            }
        }
    }

    /// How the run ended so far; the command line turns it into an exit code.
    public private(set) var outcome = Outcome.ok

    public static let lockName = "_nightly.lock"

    let layout: ArchiveLayout
    let options: Options
    let log: (String) -> Void
    let logger: Logger
    /// The run's one source of "now": what seal and retention compare with.
    let clock: any ArchiveClock
    /// What the run did so far, written to `ROOT/_metrics` when it ends.
    private var metrics: NightlyMetrics

    public init(layout: ArchiveLayout, options: Options, logger: Logger, clock: any ArchiveClock = SystemClock(), log: @escaping (String) -> Void) {
        self.layout = layout
        self.options = options
        self.logger = logger
        self.clock = clock
        self.log = log
        metrics = NightlyMetrics(start: clock.now())
    }

    /// Runs every step in order under `_nightly.lock`, logging each, then writes the run's metrics
    /// (`NightlyMetrics`); `outcome` says how it ended. Throws only when the run could not start (another
    /// nightly holds the lock, the root is unusable).
    public func run() throws {
        let lock = try POSIXFile.openForAppending(layout.lock(Self.lockName))
        guard try lock.tryLockExclusive() else { throw NightlyError.busy(root: layout.root) }
        let now = clock.now()
        metrics = NightlyMetrics(start: now)
        defer { writeMetrics() }
        // One process runs every step, each dropping what the one before held: freed blocks go back at once,
        // or a large day's seal would leave the allocator serving the report's user sets from pages it keeps.
        ProcessMemory.returnFreedBlocks()
        step("seal", metric: "seal") {
            let summary = try Sealer.run(
                layout: layout, grace: options.grace, now: now, workers: options.workers, memoryBudget: options.memoryBudget, waitForOtherSeal: true,
                logger: logger
            )
            for failure in summary.failures { log("seal: \(failure.partition): \(failure.message)") }
            metrics.sealedEvents += summary.eventsOut
            return (
                summary.failures.isEmpty ? .ok : .failed,
                "\(summary.sealed) hours sealed (\(summary.eventsIn) events in, \(summary.eventsOut) kept, \(summary.duplicates) duplicates dropped), "
                    + "\(summary.alreadySealed) already sealed, \(summary.beingWritten) still being written, \(summary.spilled) spilled to disk, "
                    + "\(summary.failures.count) failed"
            )
        }
        let planned = step("plan", metric: "plan") { () -> (Outcome, String, [PlannedDate]) in
            let planned = try plan()
            let line = planned.isEmpty ? "nothing changed since the last run" : "dates to build: " + planned.map(\.date.description).joined(separator: ", ")
            return (.ok, line, planned)
        } ?? []
        for item in planned {
            let date = item.date
            // Both from one read of the day when both are due and the timelines can start (if they cannot, their
            // own step below says why). The report step's time is then the read's.
            var timelines: ReportAndTimelines.Timelines?
            if item.report {
                step("report \(date)", metric: "report") {
                    let report: CampaignReport
                    if item.timelines, let build = try? TimelineBuilder.Build(layout: layout, date: date) {
                        (report, timelines) = try ReportAndTimelines.read(build, workers: options.workers, memoryBudget: options.memoryBudget)
                    } else {
                        report = try CampaignReportBuilder.build(layout: layout, period: .day(date), workers: options.workers, memoryBudget: options.memoryBudget)
                    }
                    try ReportFiles.write(report, layout: layout)
                    for damage in report.damage { log("report \(date): damaged input: \(damage)") }
                    metrics.reportedEvents += report.events
                    return (
                        report.isComplete ? .ok : .damagedData,
                        "\(report.events) events, \(report.campaignEvents) campaign events in \(report.campaigns.count) campaigns"
                            + (report.isComplete ? "" : ", INCOMPLETE (\(report.damage.count) damaged)")
                            + (timelines == nil ? "" : "; the day read once for this and its timelines")
                    )
                }
            }
            if item.lateEvents {
                step("late events \(date)", metric: "late_events") {
                    let late = try LateEvents.record(layout: layout, date: date, workers: options.workers)
                    for damage in late.damage { log("late events \(date): damaged input: \(damage)") }
                    return (
                        late.isComplete ? .ok : .damagedData,
                        "report kept as built (raw events removed by retention); \(late.events) late events in \(late.files.count) files "
                            + "recorded beside it in report.json's \(LateEvents.member), not in its counts"
                    )
                }
            }
            if item.timelines {
                step("timelines \(date)", metric: "timelines") {
                    let summary = try timelines?.write()
                        ?? TimelineBuilder.build(layout: layout, date: date, workers: options.workers, memoryBudget: options.memoryBudget)
                    return (summary.damage.isEmpty ? .ok : .damagedData, "\(summary.events) events of \(summary.users) users in \(summary.buckets) buckets")
                }
            }
        }
        for date in Set(planned.map(\.date) + [options.date]).sorted() {
            step("verify \(date)", metric: "verify") {
                let summary = try ArchiveVerifier.run(layout: layout, date: date, workers: options.workers, memoryBudget: options.memoryBudget)
                for finding in summary.findings { log("verify \(date): \(finding)") }
                metrics.problems += summary.findings.count
                return (
                    summary.findings.isEmpty ? .ok : .damagedData,
                    "\(summary.files) files, \(summary.manifests) manifests, \(summary.events) events checked, \(summary.findings.count) problems"
                        + (summary.uniquenessUnchecked > 0 ? " (\(summary.uniquenessUnchecked) sealed files checked for order only: too large for the budget's uuid set)" : "")
                )
            }
        }
        if let ship = options.ship {
            step("ship", metric: "ship") {
                let (result, line, events) = try ship.run()
                metrics.shippedEvents += events
                return (result, line)
            }
        }
        if let keepDays = options.keepDays {
            let shipping: Retention.ShipPolicy = options.ship.map { .shippedTo($0.destination) } ?? (options.deleteUnshipped ? .deleteUnshipped : .keepUnshipped)
            step("retain", metric: "retain") {
                let decisions = try Retention.run(
                    layout: layout, keepDays: keepDays, now: now, dryRun: false, derived: DayAccounting(layout: layout), shipping: shipping
                )
                for decision in decisions {
                    log("retain: \(decision.date): " + (decision.keptBecause.map { "kept, \($0)" } ?? "removed " + decision.paths.joined(separator: ", ")))
                }
                return (.ok, "\(decisions.filter { $0.keptBecause == nil }.count) dates removed, \(decisions.filter { $0.keptBecause != nil }.count) kept past \(keepDays) days")
            }
        }
    }

    /// A date the run builds, and which of its outputs are out of date.
    struct PlannedDate {
        let date: UTCDate
        let report: Bool
        let timelines: Bool
        /// The date's raw events were removed by retention: its report and timelines are never rebuilt from
        /// what landed since; those late events are recorded beside the report instead.
        var lateEvents = false
    }

    /// The run's date, and every earlier date whose report or timelines are missing, incomplete (built around
    /// damage) or were built from other files than the date has now (`RecordedInputs`: a file added, removed,
    /// or rewritten even to the same size); each date's partitions are listed once.
    func plan() throws -> [PlannedDate] {
        var planned: [PlannedDate] = []
        for date in Set(try ArchivePartitions.all(layout: layout).map(\.date)).filter({ $0 <= options.date }).sorted() {
            // One date's trouble (an unreadable record, say) is logged and fails the run, but the others go on.
            do {
                if let item = try plan(date) { planned.append(item) }
            } catch {
                log("plan: \(date): skipped: \(error)")
                outcome = .failed
            }
        }
        return planned
    }

    /// What `date` needs, if anything.
    private func plan(_ date: UTCDate) throws -> PlannedDate? {
        let current = try RecordedInputs.current(layout: layout, date: date)
        if let record = try RetentionRecord.read(layout: layout, date: date) {
            guard record.pending == nil else { throw RetentionInterrupted(date: date) }
            return try LateEvents.areRecorded(layout: layout, date: date, current: current)
                ? nil : PlannedDate(date: date, report: false, timelines: false, lateEvents: true)
        }
        // Built from other files than the date has now, or built around damage (`_INCOMPLETE`, or timelines
        // marked incomplete): rebuilt, and so verified again, until the date is whole.
        let report = try RecordedInputs.recorded(in: ReportFiles.json(layout: layout, date: date)) != current
            || !(try ReportFiles.isComplete(layout: layout, date: date))
        let timelines = try RecordedInputs.recorded(in: "\(layout.timelineDirectory(date))/\(TimelineManifest.fileName)") != current
            || !(try TimelineManifest.isComplete(in: layout.timelineDirectory(date)))
        return report || timelines ? PlannedDate(date: date, report: report, timelines: timelines) : nil
    }

    /// A date whose raw events a killed retain was removing: the next seal or retain finishes that first.
    struct RetentionInterrupted: Error, CustomStringConvertible {
        let date: UTCDate
        var description: String { "a removal of the raw events of \(date) was interrupted; the next seal or retain finishes it" }
    }

    /// Runs one step, logs one line with its timing, adds its seconds to the metrics under `metric`, and folds
    /// its outcome into the run's.
    @discardableResult
    private func step<T>(_ name: String, metric: String, _ body: () throws -> (Outcome, String, T)) -> T? {
        let started = System.monotonicSeconds()
        defer { metrics.add(step: metric, seconds: System.monotonicSeconds() - started) }
        do {
            let (result, line, value) = try body()
            log("\(name): \(line) (\(Self.seconds(since: started)))")
            outcome = max(outcome, result)
            return value
        } catch {
            log("\(name): FAILED after \(Self.seconds(since: started)): \(error)")
            outcome = .failed
            return nil
        }
    }

    /// Writes the run's metrics; a failure is logged, and leaves the run's outcome as it was (the data is
    /// fine; the file's age tells the monitoring that it is stale).
    private func writeMetrics() {
        metrics.end = clock.now()
        metrics.exitStatus = outcome.exitStatus
        do {
            try metrics.write(layout: layout)
        } catch {
            log("metrics: could not write \(NightlyMetrics.path(layout)): \(error)")
        }
    }

    /// "1.23 s" since `start`.
    static func seconds(since start: Double) -> String {
        let hundredths = Int(((System.monotonicSeconds() - start) * 100).rounded())
        return "\(hundredths / 100).\(UTCDate.pad(Int64(hundredths % 100), 2)) s"
    }

    private func step(_ name: String, metric: String, _ body: () throws -> (Outcome, String)) {
        step(name, metric: metric) { () throws -> (Outcome, String, Void) in
            let (result, line) = try body()
            return (result, line, ())
        }
    }
}

/// The ship step, given by the command line: the batch side knows nothing of object storage.
public struct ShipStep: Sendable {
    /// `s3://BUCKET/PREFIX`: what retention requires every hour to be confirmed at.
    public let destination: String
    /// Ships every date; returns the step's outcome (a mismatch found is `.damagedData`), its log line, and
    /// the events of the sealed hours it shipped.
    public let run: @Sendable () throws -> (NightlyPipeline.Outcome, String, Int)

    public init(destination: String, run: @escaping @Sendable () throws -> (NightlyPipeline.Outcome, String, Int)) {
        self.destination = destination
        self.run = run
    }
}

/// A nightly run that cannot start.
public enum NightlyError: Error, CustomStringConvertible {
    case busy(root: String)

    public var description: String {
        switch self {
        case .busy(let root):
            "another nightly run holds \(NightlyPipeline.lockName) on \(root); this run was not started (it would do the same work)"
        }
    }
}
