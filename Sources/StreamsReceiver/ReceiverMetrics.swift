import Prometheus
import StreamsArchive

/// The receiver's Prometheus metrics, served at `/metrics`.
package final class ReceiverMetrics: Sendable {
    package let registry = PrometheusCollectorRegistry()
    let eventsAccepted: Counter
    let eventsRejected: Counter
    let eventsDuplicate: Counter
    let bytesWritten: Counter
    let commitLatency: DurationHistogram
    let openFiles: Gauge

    package init() {
        eventsAccepted = registry.makeCounter(descriptor: .init(metricName: "streams_events_accepted", unitName: "total", helpText: "Events committed to the archive."))
        eventsRejected = registry.makeCounter(descriptor: .init(metricName: "streams_events_rejected", unitName: "total", helpText: "Events kept under rejected/ with a reason."))
        eventsDuplicate = registry.makeCounter(descriptor: .init(metricName: "streams_events_duplicate", unitName: "total", helpText: "Events acknowledged without writing: already committed."))
        bytesWritten = registry.makeCounter(descriptor: .init(metricName: "streams_bytes_written", unitName: "total", helpText: "Compressed bytes appended to partition files."))
        commitLatency = registry.makeDurationHistogram(
            descriptor: .init(metricName: "streams_commit", unitName: "seconds", helpText: "Time to write and fsync one group commit."),
            buckets: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]
        )
        openFiles = registry.makeGauge(descriptor: .init(metricName: "streams_open_files", unitName: "", helpText: "Partition files being written."))
    }

    /// Counts one answered request by status code.
    func request(status: Int) {
        registry.makeCounter(
            descriptor: .init(metricName: "streams_requests", unitName: "total", helpText: "HTTP requests answered, by status."),
            labels: [("status", String(status))]
        ).increment()
    }

    func render() -> [UInt8] { registry.emitToBuffer() }
}
