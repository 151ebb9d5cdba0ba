import ArgumentParser
import Foundation
import StreamsArchive

/// `--memory-budget`, shared by the commands that hold a day's data: how much of it they may keep in memory
/// before spilling to disk (`MemoryBudget`).
struct MemoryOptions: ParsableArguments {
    @Option(help: "Memory the step may hold of the day's data before spilling to disk: bytes, or with K, M or G (default: $STREAMS_MEMORY_BUDGET, else a quarter of physical memory).")
    var memoryBudget: ByteSize?

    /// The budget given, else `STREAMS_MEMORY_BUDGET`, else the machine's default.
    var budget: MemoryBudget {
        get throws {
            if let memoryBudget { return MemoryBudget(bytes: Int(memoryBudget.bytes)) }
            guard let text = ProcessInfo.processInfo.environment["STREAMS_MEMORY_BUDGET"], !text.isEmpty else { return .machineDefault }
            guard let size = ByteSize(argument: text) else {
                throw ValidationError("STREAMS_MEMORY_BUDGET=\(text) is not a size: give bytes, or a number with K, M or G (512M)")
            }
            return MemoryBudget(bytes: Int(size.bytes))
        }
    }

    func validate() throws {
        _ = try budget
    }
}
