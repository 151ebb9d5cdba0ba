/// Archives a file of Streams request bodies, one per line, without HTTP: for backfills, and for the same
/// crash tests the receiver gets. Bodies are committed in groups; after each commit everything up to that
/// line is durable, which `onCommit` reports so a caller can resume from there.
package struct BodyFileIngest {
    package struct Progress: Sendable, Equatable {
        /// Lines of the input consumed and durable.
        package var bodies = 0
        package var acceptedEvents = 0
        package var rejectedEvents = 0
        package var rejectedBodies = 0
        package var uncompressedBytes = 0
        package var compressedBytes = 0
    }

    package let writer: PartitionWriter
    package let parser: EnvelopeParser
    package let commitEvery: Int
    /// Bytes of an invalid body kept under rejected/.
    package let rejectedBodyLimit: Int

    package init(writer: PartitionWriter, parser: EnvelopeParser = EnvelopeParser(), commitEvery: Int = 64, rejectedBodyLimit: Int = 1 << 20) {
        self.writer = writer
        self.parser = parser
        self.commitEvery = commitEvery
        self.rejectedBodyLimit = rejectedBodyLimit
    }

    /// - Parameters:
    ///   - clock: the clock for `received_at` and the writer.
    ///   - onCommit: called after each durable commit with the totals so far.
    @discardableResult
    package func run(path: String, clock: any ArchiveClock = SystemClock(), onCommit: (Progress) -> Void) throws -> Progress {
        var progress = Progress()
        var pending = Progress()
        func commit() throws {
            let report = try writer.commit(now: clock.now())
            pending.uncompressedBytes = report.uncompressedBytes
            pending.compressedBytes = report.compressedBytes
            progress.bodies += pending.bodies
            progress.acceptedEvents += pending.acceptedEvents
            progress.rejectedEvents += pending.rejectedEvents
            progress.rejectedBodies += pending.rejectedBodies
            progress.uncompressedBytes += pending.uncompressedBytes
            progress.compressedBytes += pending.compressedBytes
            pending = Progress()
            try writer.finishIdle(now: clock.now())
            onCommit(progress)
        }
        try PlainLineReader(path: path).forEachLine { line in
            guard !line.isEmpty else { return }
            let receivedAt = clock.now()
            do throws(EnvelopeError) {
                let batch = try parser.parse(line, receivedAt: receivedAt)
                writer.stage(batch)
                pending.acceptedEvents += batch.accepted.count
                pending.rejectedEvents += batch.rejected.count
            } catch {
                let record = RejectedRecord.body(line, reason: error.description, receivedAt: receivedAt, limit: rejectedBodyLimit)
                writer.stage(record, in: .rejected(receivedAt.date))
                pending.rejectedBodies += 1
            }
            pending.bodies += 1
            if pending.bodies >= commitEvery { try commit() }
        }
        if pending.bodies > 0 { try commit() }
        return progress
    }
}
