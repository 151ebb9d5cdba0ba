import Foundation
import StreamsArchive

/// POSTs request bodies from several client threads, each on its own keep-alive connection, retrying a body on
/// any non-2xx answer as MoEngage does (three retries, with growing waits), and measures what was acknowledged.
public struct ReplayRunner: Sendable {
    public struct Options: Sendable {
        public var concurrency: Int
        /// Retries after the first attempt; MoEngage makes 3.
        public var retries: Int = 3
        /// Wait before the first retry, doubled for each later one (MoEngage: 30 s, 60 s, 120 s).
        public var retryDelaySeconds: Double = 1

        public init(concurrency: Int) {
            self.concurrency = concurrency
        }
    }

    public struct Report: Sendable {
        public var requests = 0
        public var acknowledgedBodies = 0
        public var acknowledgedEvents = 0
        public var failedBodies = 0
        /// Non-2xx answers and connection errors, each counted (retries included).
        public var errors: [String: Int] = [:]
        public var latencies: [Double] = []
        public var seconds: Double = 0

        public func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
        }

        /// The one-line summary `replay` prints.
        public var summary: String {
            let errorText = errors.isEmpty ? "none" : errors.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", ")
            return String(
                format: "replay: %d events acknowledged in %d bodies, %d requests in %.1f s: %.0f events/s, %.0f requests/s; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; errors: %@; bodies given up: %d",
                acknowledgedEvents, acknowledgedBodies, requests, seconds, Double(acknowledgedEvents) / max(seconds, 1e-9),
                Double(requests) / max(seconds, 1e-9), percentile(0.5) * 1000, percentile(0.99) * 1000, (latencies.max() ?? 0) * 1000,
                errorText, failedBodies
            )
        }
    }

    public let target: ReplayTarget
    public let options: Options

    public init(target: ReplayTarget, options: Options) {
        self.target = target
        self.options = options
    }

    /// Sends every body once (plus retries); `progress` is called now and then with the totals so far.
    public func run(bodies: [[UInt8]], progress: @escaping @Sendable (Report) -> Void = { _ in }) -> Report {
        let shared = SharedProgress()
        let start = Date()
        let group = DispatchGroup()
        for _ in 0..<options.concurrency {
            group.enter()
            let thread = Thread { [self] in
                let connection = HTTPConnection(host: target.host, port: target.port)
                var local = Report()
                while let index = shared.next(below: bodies.count) {
                    send(bodies[index], over: connection, into: &local)
                    if local.requests % 200 == 0 { progress(shared.merge(&local, elapsed: Date().timeIntervalSince(start))) }
                }
                _ = shared.merge(&local, elapsed: Date().timeIntervalSince(start))
                group.leave()
            }
            thread.start()
        }
        group.wait()
        var report = shared.snapshot()
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    private func send(_ body: [UInt8], over connection: HTTPConnection, into report: inout Report) {
        for attempt in 0...options.retries {
            if attempt > 0 { Thread.sleep(forTimeInterval: options.retryDelaySeconds * pow(2, Double(attempt - 1))) }
            let started = Date()
            report.requests += 1
            do {
                let bearer = try target.bearer?.header(over: connection)
                let reply = try connection.request("POST", target.path, headers: target.headers + (bearer.map { [$0] } ?? []), body: body)
                report.latencies.append(Date().timeIntervalSince(started))
                if (200..<300).contains(reply.status) {
                    report.acknowledgedBodies += 1
                    report.acknowledgedEvents += Self.eventCount(reply.body)
                    return
                }
                if reply.status == 401, let bearer { target.bearer?.refused(bearer) }
                report.errors["HTTP \(reply.status)", default: 0] += 1
            } catch let refused as BearerToken.Refused {
                report.errors["token request answered \(refused.status)", default: 0] += 1
            } catch {
                report.errors["connection", default: 0] += 1
            }
        }
        report.failedBodies += 1
    }

    /// accepted + duplicates + rejected from the receiver's answer: every event of the batch.
    static func eventCount(_ reply: [UInt8]) -> Int {
        guard let document = try? JSONScanner().document(reply), document.kind(document.root) == .object else { return 0 }
        return ["accepted", "duplicates", "rejected"].compactMap { document.member(of: document.root, named: $0).flatMap(document.integer) }
            .reduce(0) { $0 + Int($1) }
    }
}

/// The work index and merged results shared by the client threads.
private final class SharedProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var total = ReplayRunner.Report()

    func next(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    /// Adds a thread's results to the total and empties them.
    func merge(_ local: inout ReplayRunner.Report, elapsed: Double) -> ReplayRunner.Report {
        lock.lock()
        defer { lock.unlock() }
        total.requests += local.requests
        total.acknowledgedBodies += local.acknowledgedBodies
        total.acknowledgedEvents += local.acknowledgedEvents
        total.failedBodies += local.failedBodies
        total.latencies += local.latencies
        for (key, value) in local.errors { total.errors[key, default: 0] += value }
        total.seconds = elapsed
        local = ReplayRunner.Report()
        return total
    }

    func snapshot() -> ReplayRunner.Report {
        lock.lock()
        defer { lock.unlock() }
        return total
    }
}
