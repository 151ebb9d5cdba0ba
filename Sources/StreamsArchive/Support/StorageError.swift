import Glibc

/// A filesystem call that failed, with the path and the system's reason.
///
/// The receiver turns every `StorageError` into a 503 with Retry-After: the disk, not the data, is at fault,
/// and MoEngage's retry will succeed once an operator frees space or fixes permissions.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let code: Int32
    /// Why, when the failure is not a system call's (`code` is then EIO).
    public let reason: String?

    public init(_ operation: String, path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
        reason = nil
    }

    /// A write that failed before reaching the disk (zlib could not compress it); retried like a disk error.
    package init(_ operation: String, path: String, reason: String) {
        self.operation = operation
        self.path = path
        code = EIO
        self.reason = reason
    }

    public var description: String {
        if let reason { return "\(operation) \(path): \(reason)" }
        return "\(operation) \(path): \(String(cString: strerror(code))) (errno \(code))\(advice)"
    }

    /// The disk is full or over quota.
    public var isOutOfSpace: Bool { code == ENOSPC || code == EDQUOT }

    private var advice: String {
        switch code {
        case ENOSPC, EDQUOT: " — free space on the archive's filesystem; nothing committed was lost"
        case EROFS: " — the archive's filesystem is read-only; remount it read-write"
        case EACCES, EPERM: " — give the service user write access to the archive root"
        default: ""
        }
    }
}
