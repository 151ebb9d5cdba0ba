import Foundation
import StreamsArchive
import StreamsTraffic

/// Timing helpers: best of several runs, so a noisy shared machine disturbs the ratios as little as possible.
enum Measure {
    static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// The release `streams-archive` built beside this benchmark binary.
    static var streamsArchive: String { (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/streams-archive" }

    /// A generated day of `events` (seed 1) archived under `root` by `streams-archive ingest`, the bodies file
    /// removed afterwards.
    static func archivedDay(events: Int, date: String, root: String, scratch: String, shape: TrafficGenerator.Shape = .typical) throws {
        let bodies = scratch + "/day-\(events).jsonl"
        try TrafficGenerator(options: .init(events: events, date: UTCDate(date)!, seed: 1, shape: shape)).write(to: bodies)
        try shell("'\(streamsArchive)' ingest --root '\(root)' --input '\(bodies)' 2>/dev/null")
        try FileManager.default.removeItem(atPath: bodies)
    }

    /// The fastest of `runs` timings of `body`.
    static func best(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let start = seconds()
            try body()
            best = min(best, seconds() - start)
        }
        return best
    }

    /// Runs a shell command line, failing loudly if it fails.
    static func shell(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchFailure("command failed: \(command)") }
    }

    /// Runs a shell command line and returns its stdout, failing loudly if it fails.
    static func output(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchFailure("command failed: \(command)") }
        return String(decoding: data, as: UTF8.self)
    }

    static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).intValue
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
