import Foundation

/// Runs real processes: the built `streams-archive` binary and system tools (gzip, zcat, strace).
enum ProcessRunner {
    struct Output {
        let status: Int32
        let stdout: Data
        let stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// The directory holding the built products (the test bundle sits beside them).
    static let productsDirectory: String = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (executable as NSString).deletingLastPathComponent
    }()

    static var streamsArchive: String { productsDirectory + "/streams-archive" }

    /// Runs a process to completion, with stdin from `input` if given.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String]? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : try which(executable))
        process.arguments = arguments
        if let environment { process.environment = environment }
        let scratch = NSTemporaryDirectory() + "streams-archive-process-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: scratch + ".in")
            try? FileManager.default.removeItem(atPath: scratch + ".err")
        }
        _ = FileManager.default.createFile(atPath: scratch + ".in", contents: input ?? Data())
        _ = FileManager.default.createFile(atPath: scratch + ".err", contents: nil)
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle(forWritingAtPath: scratch + ".err")
        process.standardInput = FileHandle(forReadingAtPath: scratch + ".in")
        try process.run()
        let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorText = (try? String(contentsOfFile: scratch + ".err", encoding: .utf8)) ?? ""
        return Output(status: process.terminationStatus, stdout: outputData, stderr: errorText)
    }

    /// Runs the built `streams-archive` with `arguments`.
    @discardableResult
    static func archive(_ arguments: [String], environment: [String: String]? = nil) throws -> Output {
        try run(streamsArchive, arguments, environment: environment)
    }

    /// Runs the built `streams-archive` under GNU time: its output, and its peak RSS in KB from the child's
    /// rusage (nil if GNU time printed none).
    static func archiveWithPeakRSS(_ arguments: [String]) throws -> (output: Output, peakKB: Int?) {
        let output = try run("/usr/bin/time", ["-f", "max_rss_kb=%M", streamsArchive] + arguments)
        return (output, output.stderr.split(separator: "\n").last { $0.hasPrefix("max_rss_kb=") }.flatMap { Int($0.dropFirst(11)) })
    }

    /// Runs a shell command line.
    @discardableResult
    static func shell(_ command: String) throws -> Output {
        try run("/bin/sh", ["-c", command])
    }

    /// Holds an exclusive flock on `path` for `seconds` from another process (util-linux's `flock`), as a
    /// concurrent seal or nightly run would; returns it running, the lock taken.
    static func holdLock(_ path: String, seconds: Int) throws -> Process {
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: try which("flock"))
        holder.arguments = [path, "sleep", String(seconds)]
        try holder.run()
        usleep(300_000)
        return holder
    }

    static func which(_ name: String) throws -> String {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw MissingTool(name: name)
    }

    struct MissingTool: Error, CustomStringConvertible {
        let name: String
        var description: String { "\(name) is not installed; run .ci/run, which installs what the tests need" }
    }
}
