extension PartitionWriter {
    /// Stages a parsed batch: each accepted event into its partition, each rejected event under rejected/
    /// for the day it arrived. Nothing is durable until `commit`.
    public func stage(_ batch: ParsedBatch) {
        for event in batch.accepted {
            stage(event.line, in: .events(event.partition))
        }
        guard !batch.rejected.isEmpty else { return }
        let day = PartitionDirectory.rejected(UTCDate(epochSeconds: batch.receivedAt / 1000))
        for rejection in batch.rejected {
            stage(RejectedRecord.event(rejection, of: batch), in: day)
        }
    }
}
