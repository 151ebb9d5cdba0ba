/// A timeline build or lookup that cannot go on, with what to do about it.
public enum TimelineError: Error, CustomStringConvertible {
    case unreadableSpill(offset: Int64)
    case corruptIndex(path: String)
    case busy(date: String)

    public var description: String {
        switch self {
        case .unreadableSpill(let offset):
            "a spilled line at byte \(offset) could not be read back; the build's scratch space is damaged — run timelines again"
        case .corruptIndex(let path):
            "\(path) is not a timeline index; rebuild the day with `streams-archive timelines --date D`"
        case .busy(let date):
            "another timelines build for \(date) is running; wait for it to finish"
        }
    }
}
