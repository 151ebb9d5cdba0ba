import Foundation
import Testing

/// A real S3 API server on loopback for one test: moto's server mode (`moto_server`, from PyPI, installed by
/// .ci/run), with a bucket made through boto3. With `authenticated`, moto checks every request's SigV4
/// signature against an IAM user's key (made through its IAM API), so a wrong signature is refused.
final class S3Server {
    static let oracleScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/s3_oracle.py").path

    let process = Process()
    let endpoint: String
    let bucket: String
    let accessKey: String
    let secretKey: String
    private let logPath: String

    /// Starts the server (on a port the kernel picks) and makes `bucket`. Parts may be as small as
    /// `minimumPartSize` (S3's 5 MiB otherwise), so multipart runs on small files.
    init(bucket: String = "archive", authenticated: Bool = false, minimumPartSize: Int = 256, directory: TestDirectory) throws {
        self.bucket = bucket
        logPath = directory.file("moto-\(UUID().uuidString.prefix(6)).log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: try ProcessRunner.which("moto_server"))
        process.arguments = ["-H", "127.0.0.1", "-p", "0"]
        var environment = ProcessInfo.processInfo.environment
        environment["S3_UPLOAD_PART_MIN_SIZE"] = String(minimumPartSize)
        // The free actions make the IAM user, its key and policy, and the bucket; every later request is signed.
        if authenticated { environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "4" }
        process.environment = environment
        process.standardOutput = FileHandle(forWritingAtPath: logPath)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        var port: String?
        for _ in 0..<200 where port == nil {
            Thread.sleep(forTimeInterval: 0.05)
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            port = log.components(separatedBy: "Running on http://127.0.0.1:").dropFirst().first?.prefix { $0.isNumber }.description
        }
        guard let port else { throw StartFailure(log: (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "") }
        endpoint = "http://127.0.0.1:\(port)"
        let setup = try ProcessRunner.run("python3", [Self.oracleScript, "setup", endpoint, bucket] + (authenticated ? ["--auth"] : []))
        guard setup.status == 0 else { throw StartFailure(log: setup.stderr) }
        let keys = setup.text.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        (accessKey, secretKey) = authenticated ? (keys[0], keys[1]) : ("test-key", "test-secret")
    }

    deinit {
        // moto's development server does not stop on SIGTERM while it holds keep-alive connections.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// What `ship`, `restore` and `verify --remote` need in their environment to reach this server.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "STREAMS_SHIP_TO"] { environment[name] = nil }
        environment["AWS_ACCESS_KEY_ID"] = accessKey
        environment["AWS_SECRET_ACCESS_KEY"] = secretKey
        environment["AWS_ENDPOINT_URL_S3"] = endpoint
        environment["AWS_REGION"] = "us-east-1"
        return environment
    }

    /// `s3://BUCKET/prefix`.
    func url(_ prefix: String) -> String { "s3://\(bucket)/\(prefix)" }

    /// Runs Tests/Tools/s3_oracle.py (boto3, s3fs) against this server with this server's keys.
    func oracle(_ arguments: [String]) throws -> ProcessRunner.Output {
        guard let command = arguments.first else { throw StartFailure(log: "no oracle command") }
        return try ProcessRunner.run("python3", [Self.oracleScript, command, endpoint, bucket] + arguments.dropFirst(), environment: environment)
    }

    /// Every object under `prefix`, downloaded and hashed by boto3: key → (bytes, sha256).
    func objects(under prefix: String) throws -> [String: (bytes: Int, sha256: String)] {
        let output = try oracle(["objects", prefix])
        try #require(output.status == 0, Comment(rawValue: output.stderr))
        let json = try #require(try JSONSerialization.jsonObject(with: output.stdout) as? [String: [String: Any]])
        return json.mapValues { ($0["bytes"] as! Int, $0["sha256"] as! String) }
    }

    /// Multipart uploads still open in the bucket (boto3).
    func openUploads() throws -> [[String]] {
        let output = try oracle(["uploads"])
        try #require(output.status == 0, Comment(rawValue: output.stderr))
        return try #require(try JSONSerialization.jsonObject(with: output.stdout) as? [[String]])
    }

    struct StartFailure: Error, CustomStringConvertible {
        let log: String
        var description: String { "moto_server did not start (install it: .ci/run does): \(log)" }
    }
}
