extension PartitionWriter {
    /// Stages a parsed batch: each accepted event that `include` keeps into its partition, each rejected event
    /// under rejected/ for the day it arrived. Nothing is durable until `commit`. Returns how many were kept.
    @discardableResult
    package func stage(_ batch: ParsedBatch, where include: (AcceptedEvent) -> Bool = { _ in true }) -> Int {
        var kept = 0
        for event in batch.accepted where include(event) {
            stage(event.line, in: .events(event.partition))
            kept += 1
        }
        guard !batch.rejected.isEmpty else { return kept }
        let day = PartitionDirectory.rejected(batch.receivedAt.date)
        for rejection in batch.rejected {
            stage(RejectedRecord.event(rejection, of: batch), in: day)
        }
        return kept
    }
}
