import Foundation
import StreamsArchive
import StreamsReceiver
import StreamsTraffic

/// A real `streams-archive serve` on a loopback port, started and stopped (or killed) by a test.
final class ServerProcess {
    let process = Process()
    let port: Int
    let logPath: String
    /// The `ReceiverReadiness` file it was started with.
    let readyFile: String

    /// Starts `serve --root root --port 0 --ready-file …` and waits until its `ReceiverReadiness` names the
    /// port it listens on (and it printed the same port). With
    /// `descriptorLimit`, it runs under `ulimit -n descriptorLimit` (the shell execs it: same process id).
    /// With `tracer` (a command such as `strace -f -o FILE`), the receiver runs under it.
    init(root: String, arguments: [String] = [], environment: [String: String] = [:], descriptorLimit: Int? = nil, tracer: [String] = []) throws {
        let id = UUID().uuidString.prefix(6)
        logPath = root + "-serve-\(id).log"
        readyFile = root + "-serve-\(id).ready.json"
        let serve = ["serve", "--root", root, "--port", "0", "--ready-file", readyFile] + arguments
        if let descriptorLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\"", ProcessRunner.streamsArchive] + serve
        } else if let command = tracer.first {
            process.executableURL = URL(fileURLWithPath: try ProcessRunner.which(command))
            process.arguments = Array(tracer.dropFirst()) + [ProcessRunner.streamsArchive] + serve
        } else {
            process.executableURL = URL(fileURLWithPath: ProcessRunner.streamsArchive)
            process.arguments = serve
        }
        var env = ProcessInfo.processInfo.environment
        env[ReceiverAuth.basicVariable] = nil
        env[ReceiverAuth.headerVariable] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let stdout = Pipe()
        process.standardOutput = stdout
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { throw StartFailure(log: (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "") }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let readiness = try ReceiverReadiness.read(from: readyFile), text == "listening on \(readiness.url.dropLast("/streams".count))\n"
        else { throw StartFailure(log: text) }
        self.port = readiness.port
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// CPU time the server has used so far (user + system, from /proc/PID/stat).
    var cpuTime: Duration {
        let stat = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)) ?? ""
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return .zero }
        return .milliseconds((user + system) * 1000 / Int(sysconf(Int32(_SC_CLK_TCK))))
    }

    func connection() -> HTTPConnection { HTTPConnection(host: "127.0.0.1", port: port) }

    /// POSTs a body to /streams.
    func post(_ body: [UInt8], headers: [(String, String)] = [("Content-Type", "application/json")]) throws -> HTTPConnection.Reply {
        try connection().request("POST", "/streams", headers: headers, body: body)
    }

    /// SIGTERM, then waits; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { kill9() }
        try? FileManager.default.removeItem(atPath: logPath)
    }

    struct StartFailure: Error, CustomStringConvertible {
        let log: String
        var description: String { "serve did not start: \(log)" }
    }
}

extension HTTPConnection.Reply {
    var json: NSDictionary { (try? JSONSerialization.jsonObject(with: Data(body))) as? NSDictionary ?? [:] }
}
