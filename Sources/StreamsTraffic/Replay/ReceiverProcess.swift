import Foundation
import StreamsArchive
import StreamsReceiver

/// A `streams-archive serve` child process on a loopback port the system picks, for `demo` and the benchmarks:
/// started, known to be listening from the `ReceiverReadiness` file it writes (never from its console
/// output), and stopped with SIGTERM.
public final class ReceiverProcess {
    public let process = Process()
    public let port: Int

    /// Starts `executable serve --root root --port 0 --ready-file … …`; its stderr goes to `log` (or nowhere).
    /// Waits up to `startup` for the receiver to listen (it recovers and warms its dedup index first).
    public init(executable: String, root: String, arguments: [String] = [], log: String? = nil, startup: Duration = .seconds(120)) throws {
        let readyFile = NSTemporaryDirectory() + "streams-archive-ready-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: readyFile) }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--root", root, "--port", "0", "--ready-file", readyFile] + arguments
        process.standardOutput = FileHandle.nullDevice
        if let log, FileManager.default.createFile(atPath: log, contents: nil) {
            process.standardError = FileHandle(forWritingAtPath: log)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        do {
            port = try Self.waitUntilListening(process, readyFile: readyFile, startup: startup, log: log)
        } catch {
            // Never leave a receiver running that no one can stop.
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            throw error
        }
    }

    private static func waitUntilListening(_ process: Process, readyFile: String, startup: Duration, log: String?) throws -> Int {
        let clock = ContinuousClock()
        let deadline = clock.now + startup
        let seeLog = log.map { " (see \($0))" } ?? ""
        while true {
            let running = process.isRunning
            // Read after sampling `isRunning`: a receiver that listened and then exited is not "never listened".
            if let readiness = try ReceiverReadiness.read(from: readyFile) { return readiness.port }
            guard running else { throw ReceiverStartFailure(message: "the receiver exited before listening" + seeLog) }
            guard clock.now < deadline else { throw ReceiverStartFailure(message: "the receiver did not listen within \(startup)" + seeLog) }
            Thread.sleep(forTimeInterval: 0.01)
        }
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
