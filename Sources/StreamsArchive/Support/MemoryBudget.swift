import Glibc

/// How much memory a batch step (seal, and the nightly run that calls it) may hold of a day's data at once;
/// past it, the step spills to disk and merges, with the same output byte for byte.
///
/// The default is a quarter of the machine's physical memory (at least 64 MiB): the nightly run shares the box
/// with a receiver that must keep acknowledging. It bounds the data a step holds, not the process: code,
/// buffers and the step's fixed structures come on top (docs/PIPELINE.md gives the measured overhead).
public struct MemoryBudget: Sendable, Equatable, CustomStringConvertible {
    public let bytes: Int

    public init(bytes: Int) { self.bytes = bytes }

    /// A quarter of physical memory, at least 64 MiB.
    public static var machineDefault: MemoryBudget {
        let pages = Int(sysconf(Int32(_SC_PHYS_PAGES)))
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        return MemoryBudget(bytes: max(64 << 20, pages > 0 && pageSize > 0 ? pages / 4 * pageSize : 0))
    }

    /// Split evenly between `parts` workers (never below 64 KiB each).
    public func share(_ parts: Int) -> Int { max(64 << 10, bytes / max(1, parts)) }

    public var description: String { bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes" }
}
