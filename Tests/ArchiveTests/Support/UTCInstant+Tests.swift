import StreamsArchive

extension UTCInstant {
    /// An instant written as whole epoch seconds, as the fixtures' event times are.
    static func epochSeconds(_ seconds: Int64) -> UTCInstant { UTCInstant(secondsSinceEpoch: seconds) }
}
