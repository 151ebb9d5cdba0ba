/// A partition that cannot be sealed; its files are left exactly as they were.
public enum SealError: Error, CustomStringConvertible {
    case invalidLine(file: String, problem: String)
    case busy(root: String)

    public var description: String {
        switch self {
        case .invalidLine(let file, let problem):
            "\(file): a line is not a stored event (\(problem)); the hour was left unsealed — run verify, and move the damaged file aside"
        case .busy(let root):
            "another seal is running on \(root); it will seal these hours too (or run seal again when it is done)"
        }
    }
}
