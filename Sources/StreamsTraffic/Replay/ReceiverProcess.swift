import Foundation
import StreamsArchive

/// A `streams-archive serve` child process on a loopback port the system picks, for `demo` and the benchmarks:
/// started, its port read from the line it prints once listening, and stopped with SIGTERM.
public final class ReceiverProcess {
    public let process = Process()
    public let port: Int

    /// Starts `executable serve --root root --port 0 …`; its stderr goes to `log` (or nowhere).
    public init(executable: String, root: String, arguments: [String] = [], log: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--root", root, "--port", "0"] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        if let log {
            FileManager.default.createFile(atPath: log, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: log)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = stdout.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw ReceiverStartFailure(message: "the receiver exited before listening" + (log.map { " (see \($0))" } ?? "")) }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let port = text.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
            throw ReceiverStartFailure(message: "the receiver printed no port: \(text)")
        }
        self.port = port
    }

    public var url: String { "http://127.0.0.1:\(port)/streams" }

    /// SIGTERM, then waits; the exit status (0 after a clean shutdown).
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

public struct ReceiverStartFailure: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
