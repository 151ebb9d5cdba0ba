/// A gzip file that cannot be read to its end, with where the damage starts.
///
/// Everything before `lastGoodOffset` is complete, CRC-checked members that zcat, DuckDB and Spark read.
public struct GzipReadError: Error, Sendable, CustomStringConvertible {
    /// What was wrong at `lastGoodOffset`.
    public enum Problem: Sendable, Equatable {
        /// The file ends inside a member: a write was cut short.
        case truncated
        /// A member fails its checks (bad header, bad deflate data, CRC or length mismatch).
        case corrupt(String)
        /// A line longer than the reader's bound.
        case lineTooLong(limit: Int)
    }

    public let file: String
    /// Byte offset where the last complete, CRC-checked member ends (0 when none did).
    public let lastGoodOffset: Int64
    public let problem: Problem

    public var description: String {
        switch problem {
        case .truncated:
            "\(file): torn gzip member — the file ends inside a member that starts at byte \(lastGoodOffset); "
                + "bytes before it are intact"
        case .corrupt(let reason):
            "\(file): corrupt gzip member at byte \(lastGoodOffset) (\(reason)); bytes before it are intact"
        case .lineTooLong(let limit):
            "\(file): a line longer than \(limit) bytes in the member at byte \(lastGoodOffset)"
        }
    }
}
