import StreamsArchive

/// A date's report and timelines from one read of its files: what the nightly run does when it needs both.
///
/// The day is read once (`DayReader`, with the report's fields, which include the uid the timelines bucket
/// by), and each event, counted once, goes to the worker's report tally and to its timeline spill. The
/// report and the timelines are byte for byte those `CampaignReportBuilder` and `TimelineBuilder` write
/// alone (tested): the same events reach the same accumulators, and what follows the read is their own code.
/// Memory: each worker's timeline spill buffers take a quarter of its share of the budget (alone, all of it),
/// and the report's user sets get the rest before they spill; the buffers are given back after the read.
/// Crash behaviour is each builder's: the report files are written atomically by the caller; the timelines
/// are published by their link, and an abandoned version is removed by the next build.
enum ReportAndTimelines {
    /// One read worker's two accumulators.
    struct Part {
        var report: CampaignAccumulator
        var timelines: TimelineSpill
    }

    /// The timelines of the read, to be sorted, written and published (`write`), after the report is out.
    struct Timelines {
        fileprivate let build: TimelineBuilder.Build
        fileprivate let buckets: TimelineBuckets
        fileprivate let spills: [TimelineSpill]
        fileprivate let files: [ScannedFile]
        fileprivate let duplicates: Int
        fileprivate let damage: [FileDamage]
        fileprivate let workers: Int
        fileprivate let budget: MemoryBudget

        func write() throws -> TimelineBuilder.Summary {
            try build.finish(
                buckets: buckets, spills: spills, files: files, duplicates: duplicates, damage: damage, workers: workers, budget: budget
            )
        }
    }

    /// Reads `build`'s date once; returns its report and its timelines, still to be written.
    static func read(
        _ build: TimelineBuilder.Build, workers: Int = System.coreCount, memoryBudget: MemoryBudget = .machineDefault
    ) throws -> (report: CampaignReport, timelines: Timelines) {
        let layout = build.layout
        let date = build.date
        let reportBudget = MemoryBudget(bytes: memoryBudget.bytes - memoryBudget.bytes / 4)
        var spill: UserSpill?
        defer { spill?.remove() }
        let (files, buckets, users, outcome) = try DayScan.withFiles(layout: layout, date: date, includeOpen: false) { files in
            let users = try CampaignReportBuilder.userSpill(layout: layout, bytes: files.map(\.bytes).reduce(0, +), budget: reportBudget)
            spill = users
            let buckets = try build.buckets(for: files)
            let share = CampaignReportBuilder.userShare(of: reportBudget, beside: users, workers: workers)
            var worker = 0
            var outcome = DayReader.read(files, plan: CampaignAccumulator.plan, workers: workers) {
                defer { worker += 1 }
                return Part(
                    report: CampaignAccumulator(spill: users, userBudget: share),
                    timelines: build.spill(
                        worker: worker, of: workers, buckets: buckets, bufferBytes: memoryBudget.share(workers) / 4, plan: CampaignAccumulator.plan
                    )
                )
            } enter: { part, partition in
                part.report.enter(partition)
            } visit: { part, event in
                part.report.add(event)
                part.timelines.add(event)
            }
            // The spill buffers are written out and given back before the report counts its users; a failure
            // stays recorded in the spill, and fails the timelines when they are written, after the report.
            for index in outcome.accumulators.indices { _ = outcome.accumulators[index].timelines.finish() }
            return (files, buckets, users, outcome)
        }
        let report = try CampaignReportBuilder.finish(
            period: .day(date), parts: outcome.accumulators.map(\.report), spill: users, files: files, includeOpen: false,
            partitionEvents: outcome.partitionEvents, duplicates: outcome.duplicates, damage: outcome.damage, workers: workers
        )
        let timelines = Timelines(
            build: build, buckets: buckets, spills: outcome.accumulators.map(\.timelines), files: files, duplicates: outcome.duplicates,
            damage: outcome.damage, workers: workers, budget: memoryBudget
        )
        return (report, timelines)
    }
}
