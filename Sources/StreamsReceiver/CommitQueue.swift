import Foundation
import Logging
import ServiceLifecycle
import StreamsArchive

/// Group commit: requests hand their parsed batches to one writer thread, which takes everything waiting,
/// drops event_uuids already committed, stages the rest, commits once (one member and one fsync per touched
/// file), and only then answers every request in the group.
///
/// The writer runs on its own thread because fsync blocks: on the async pool it would stall every request.
/// A group whose commit fails is committed again request by request, so only the requests that cannot be
/// stored get a 503.
///
/// As a `Service`, it keeps running until the HTTP server has finished its requests (services stop in
/// reverse order), then commits what is left, finishes its files and retires its journal.
package final class CommitQueue: Service, @unchecked Sendable {
    /// What the writer thread is asked to make durable.
    package enum Work: Sendable {
        case batch(ParsedBatch)
        /// A whole body that is not a Streams envelope, kept under rejected/.
        case rejectedBody(line: [UInt8], receivedAt: UTCInstant)
    }

    package enum Outcome: Sendable, Equatable {
        case committed(accepted: Int, duplicates: Int, rejected: Int)
        case storageFailure(String)
        case stopping
    }

    private let writer: PartitionWriter
    private let metrics: ReceiverMetrics
    private let logger: Logger
    private let maintenanceInterval: Duration
    /// The receiver's one source of time: `received_at`, commit times, idle files, dedup expiry.
    package let clock: any ArchiveClock
    /// Guards everything below; the writer, `dedup` and `group` belong to the writer thread.
    private let condition = NSCondition()
    private var pending: [(work: Work, reply: CheckedContinuation<Outcome, Never>)] = []
    private var stopping = false
    private var dedup: DedupIndex
    private var finished: CheckedContinuation<Void, any Error>?

    package init(
        writer: PartitionWriter, dedup: DedupIndex, metrics: ReceiverMetrics, logger: Logger, clock: any ArchiveClock = SystemClock(),
        maintenanceInterval: Duration = .seconds(5)
    ) {
        self.writer = writer
        self.dedup = dedup
        self.metrics = metrics
        self.logger = logger
        self.maintenanceInterval = maintenanceInterval
        self.clock = clock
    }

    /// Waits until `work` is durable (or could not be made durable).
    package func submit(_ work: Work) async -> Outcome {
        await withCheckedContinuation { reply in
            condition.lock()
            defer { condition.unlock() }
            guard !stopping else { return reply.resume(returning: .stopping) }
            pending.append((work, reply))
            condition.signal()
        }
    }

    package func run() async throws {
        let thread = Thread { [self] in writerLoop() }
        thread.name = "streams-archive-writer"
        try await withGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
                condition.lock()
                finished = done
                condition.unlock()
                thread.start()
            }
        } onGracefulShutdown: { [self] in
            condition.lock()
            stopping = true
            condition.signal()
            condition.unlock()
        }
    }

    private func writerLoop() {
        var nextMaintenance = Date().addingTimeInterval(Self.seconds(maintenanceInterval))
        var shutdownError: (any Error)?
        while true {
            condition.lock()
            while pending.isEmpty && !stopping && Date() < nextMaintenance {
                _ = condition.wait(until: nextMaintenance)
            }
            let group = pending
            pending.removeAll()
            let stop = stopping
            condition.unlock()

            if !group.isEmpty { commit(group) }
            if Date() >= nextMaintenance || stop {
                maintain()
                nextMaintenance = Date().addingTimeInterval(Self.seconds(maintenanceInterval))
            }
            if stop {
                do {
                    try writer.finishAll()
                    try writer.identity.retire()
                    logger.info("writer stopped: files finished, journal retired")
                } catch {
                    logger.error("could not finish files at shutdown; the next start recovers them", metadata: ["error": "\(error)"])
                    shutdownError = error
                }
                break
            }
        }
        condition.lock()
        let done = finished
        condition.unlock()
        if let shutdownError { done?.resume(throwing: shutdownError) } else { done?.resume() }
    }

    private func commit(_ group: [(work: Work, reply: CheckedContinuation<Outcome, Never>)]) {
        let now = clock.now()
        var seenInGroup = Set<EventUUID>()  // byte-wise: never `String`, whose == is canonical equivalence
        var counts: [(accepted: Int, duplicates: Int, rejected: Int)] = []
        for (work, _) in group {
            switch work {
            case .batch(let batch):
                let accepted = writer.stage(batch) { event in
                    !dedup.contains(event.uuid) && seenInGroup.insert(event.uuid).inserted
                }
                counts.append((accepted, batch.accepted.count - accepted, batch.rejected.count))
            case .rejectedBody(let line, let receivedAt):
                writer.stage(line, in: .rejected(receivedAt.date))
                counts.append((0, 0, 0))
            }
        }
        let started = ContinuousClock.now
        let outcome: Result<PartitionWriter.CommitReport, StorageError>
        do {
            outcome = .success(try writer.commit(now: now))
        } catch {
            outcome = .failure(error)
        }
        metrics.commitLatency.record(ContinuousClock.now - started)
        switch outcome {
        case .success(let report):
            for uuid in seenInGroup { dedup.insert(uuid, at: now) }
            metrics.bytesWritten.increment(by: Int64(report.compressedBytes))
            for ((_, reply), count) in zip(group, counts) {
                metrics.eventsAccepted.increment(by: Int64(count.accepted))
                metrics.eventsDuplicate.increment(by: Int64(count.duplicates))
                metrics.eventsRejected.increment(by: Int64(count.rejected))
                reply.resume(returning: .committed(accepted: count.accepted, duplicates: count.duplicates, rejected: count.rejected))
            }
        case .failure(let error) where group.count > 1:
            // One request's trouble (say, a batch spread over more hours than can be written) must not fail the
            // others it was grouped with: each is committed on its own.
            logger.warning("group commit failed; committing its requests one by one", metadata: ["error": "\(error)", "requests": "\(group.count)"])
            for item in group { commit([item]) }
            return
        case .failure(let error):
            logger.error("commit failed; answering 503 so MoEngage retries", metadata: ["error": "\(error)", "requests": "\(group.count)"])
            for (_, reply) in group { reply.resume(returning: .storageFailure(error.description)) }
        }
        metrics.openFiles.set(Double(writer.openFileCount))
    }

    /// Finishes idle files and forgets uuids older than the retry window.
    private func maintain() {
        do {
            try writer.finishIdle(now: clock.now())
        } catch {
            logger.warning("could not finish an idle file; will retry", metadata: ["error": "\(error)"])
        }
        dedup.expire(now: clock.now())
        metrics.openFiles.set(Double(writer.openFileCount))
    }

    private static func seconds(_ span: Duration) -> TimeInterval {
        Double(span.components.seconds) + Double(span.components.attoseconds) / 1e18
    }
}
