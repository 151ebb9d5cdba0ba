import StreamsArchive

/// What a nightly run tells a monitoring system: a Prometheus textfile, `ROOT/_metrics/streams_nightly.prom`,
/// for node_exporter's textfile collector (point `--collector.textfile.directory` at `ROOT/_metrics`).
///
/// Written at the end of every run that started (ok, damaged or failed), replacing the last one atomically
/// (`AtomicFile`: a scrape sees the old file or the new, never half of one). It holds the run's start and
/// end, its exit status, each step's seconds, what it sealed, reported and shipped and the problems verify
/// found, and the end of the last run that succeeded, carried over from the previous file by a run that did
/// not: what an alert on "no success in 26 hours" needs. A run refused because another holds the lock
/// writes nothing (the one holding it will).
package struct NightlyMetrics: Sendable {
    package static let fileName = "streams_nightly.prom"

    var start: UTCInstant
    var end: UTCInstant
    var exitStatus: Int32 = 0
    /// Seconds by step kind (`seal`, `report`, `late_events`, `timelines`, `verify`, `ship`, `retain`),
    /// summed over the run's dates, in the order they first ran.
    var steps: [(name: String, seconds: Double)] = []
    var sealedEvents = 0
    var reportedEvents = 0
    var shippedEvents = 0
    var problems = 0

    init(start: UTCInstant) {
        self.start = start
        end = start
    }

    mutating func add(step: String, seconds: Double) {
        if let index = steps.firstIndex(where: { $0.name == step }) { steps[index].seconds += seconds } else { steps.append((step, seconds)) }
    }

    /// The file's path under `layout`.
    package static func path(_ layout: ArchiveLayout) -> String { "\(layout.metricsDirectory)/\(fileName)" }

    /// Writes the file, carrying the last success over from the file it replaces when this run failed.
    func write(layout: ArchiveLayout) throws(StorageError) {
        try Directory.create(layout.metricsDirectory)
        let previous = try POSIXFile.openForReadingIfExists(Self.path(layout))?.readToEnd()
        let lastSuccess = exitStatus == 0 ? Double(end.millisecondsSinceEpoch) / 1000 : previous.flatMap(Self.lastSuccess)
        try AtomicFile.write(Array(render(lastSuccess: lastSuccess).utf8), to: Self.path(layout))
    }

    /// The text format (version 0.0.4): HELP and TYPE before each family, one sample per line.
    func render(lastSuccess: Double?) -> String {
        var text = ""
        func gauge(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for sample in samples { text += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        func seconds(_ instant: UTCInstant) -> String { Self.number(Double(instant.millisecondsSinceEpoch) / 1000) }
        gauge("streams_nightly_last_run_start_timestamp_seconds", "When the last nightly run started, Unix time.", [("", seconds(start))])
        gauge("streams_nightly_last_run_end_timestamp_seconds", "When the last nightly run ended, Unix time.", [("", seconds(end))])
        gauge("streams_nightly_last_run_exit_status", "The last nightly run's exit status: 0 ok, 2 damaged data found, 1 a step failed.", [("", "\(exitStatus)")])
        if let lastSuccess {
            gauge("streams_nightly_last_success_timestamp_seconds", "When the last nightly run that exited 0 ended, Unix time.", [("", Self.number(lastSuccess))])
        }
        gauge("streams_nightly_last_run_step_seconds", "Seconds each step of the last nightly run took, over all its dates.", steps.map { (#"{step="\#($0.name)"}"#, Self.number($0.seconds)) })
        gauge("streams_nightly_last_run_sealed_events", "Events the last nightly run's seal kept.", [("", "\(sealedEvents)")])
        gauge("streams_nightly_last_run_reported_events", "Events in the reports the last nightly run built.", [("", "\(reportedEvents)")])
        gauge("streams_nightly_last_run_shipped_events", "Events in the sealed hours the last nightly run shipped.", [("", "\(shippedEvents)")])
        gauge("streams_nightly_last_run_problems", "Problems the last nightly run's verify found.", [("", "\(problems)")])
        return text
    }

    /// The last success's value in a file this type wrote.
    static func lastSuccess(in bytes: [UInt8]) -> Double? {
        let prefix = "streams_nightly_last_success_timestamp_seconds "
        let value = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }
        // A hand-edited file's nonsense (inf, 1e30) is dropped, not carried over.
        return value.flatMap { $0.isFinite && $0 >= 0 && $0 < 1e11 ? $0 : nil }
    }

    /// A sample value: milliseconds at most, no exponent.
    static func number(_ value: Double) -> String {
        let thousandths = Int64((value * 1000).rounded())
        return "\(thousandths / 1000).\(UTCDate.pad(thousandths % 1000, 3))"
    }
}
