/// A timeline build or lookup that cannot go on, with what to do about it.
public enum TimelineError: Error, CustomStringConvertible {
    case corruptIndex(path: String)
    case busy(date: String)

    public var description: String {
        switch self {
        case .corruptIndex(let path):
            "\(path) is not a timeline index; rebuild the day with `streams-archive timelines --date D`"
        case .busy(let date):
            "another timelines build for \(date) is running; wait for it to finish"
        }
    }
}
