/// What retention asks of the side that builds outputs from a date's raw events (reports, timelines).
///
/// The core owns this interface and the batch side implements it, so retention never spells a report's or a
/// timeline's file names: it asks whether the date is accounted for, and what must go with its raw events.
public protocol DerivedData {
    /// nil when the date's report accounts for every raw file it has now; else why to keep the date, saying
    /// what to run.
    func whyNotReported(_ date: UTCDate) throws -> String?

    /// Outputs built from the raw events that are removed with them (files or directories, in removal order).
    func removedWithRawEvents(_ date: UTCDate) -> [String]
}
