import ArgumentParser

/// Benchmarks that measure streams-archive against a peer tool in the same run and print the ratios
/// recorded in docs/PERFORMANCE.md. Run them from a release build: `swift run -c release archive-bench …`.
@main
struct ArchiveBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive-bench",
        abstract: "Measure streams-archive against gzip, zcat and DuckDB on the same bytes, in one run.",
        subcommands: [CodecBenchmark.self, ReceiverBenchmark.self, ReportBenchmark.self, TimelinesBenchmark.self, NightlyBenchmark.self, SealingBenchmark.self, ScaleBenchmark.self, SoakBenchmark.self, ShipBenchmark.self]
    )
}
