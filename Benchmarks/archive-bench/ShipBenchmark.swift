import ArgumentParser
import Foundation
import StreamsArchive

/// `ship` against boto3's transfer manager (what `aws s3 cp --recursive` runs) uploading the same files to the
/// same loopback S3 API server (moto) in the same run; then one large file (multipart) with each side's peak RSS.
struct ShipBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ship",
        abstract: "ship's throughput and memory against boto3 uploading the same files to a loopback S3 server (moto)."
    )

    @Option(help: "Distinct generated events in the shipped day.") var events = 1_000_000
    @Option(help: "Sizes of the large files, in MiB, comma-separated (peak RSS should not grow with them).") var largeMegabytes = "500,1500"
    @Option(help: "Scratch directory (removed afterwards).") var scratch = NSTemporaryDirectory() + "archive-bench-ship"

    static let date = "2026-03-14"

    func run() throws {
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let root = scratch + "/archive"
        try Measure.archivedDay(events: events, date: Self.date, root: root, scratch: scratch)
        try Measure.shell("'\(Measure.streamsArchive)' nightly --root '\(root)' --date \(Self.date) --grace 0 2>/dev/null")
        let server = try MotoServer(scratch: scratch)
        defer { server.stop() }
        let environment = "AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 AWS_ENDPOINT_URL_S3=\(server.endpoint)"

        // The day: ship, then boto3 with the same files under another prefix.
        let ship = try timedWithRSS("env \(environment) '\(Measure.streamsArchive)' ship --root '\(root)' --to s3://bench/ours")
        let list = try shippedFiles(root: root, prefix: "peer")
        let objects = list.count
        let bytes = try list.map { try Int64(Measure.size($0.path)) }.reduce(0, +)
        let peer = try boto3(list, server: server)
        let peerConfirming = try boto3(try shippedFiles(root: root, prefix: "peer-head"), server: server, head: true)
        print("input: \(events) events sealed by nightly, \(objects) files, \(String(format: "%.1f", Double(bytes) / 1e6)) MB; server: moto \(server.version) on loopback, same 2 cores\n")
        print("| upload | ours s | boto3 s | ours MB/s | boto3 MB/s | ratio (ours/boto3 speed) | ours peak RSS MB | boto3 peak RSS MB |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        row("a sealed day (\(objects) objects: sealed hours, manifests, _SUCCESS, reports), each confirmed by ship", bytes, ship, peer)
        row("the same day against boto3 confirming each object as ship does (PUT with SHA-256, then HEAD; 10 in flight)", bytes, ship, peerConfirming)

        // Large files, one at a time, multipart on both sides: each its own date's rejected input.
        for (index, megabytes) in largeMegabytes.split(separator: ",").compactMap({ Int($0) }).enumerated() {
            let date = "2026-03-2\(index)"
            let large = "\(root)/rejected/date=\(date)/part-bench-000001.jsonl.gz"
            try FileManager.default.createDirectory(atPath: (large as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Measure.shell("head -c \(megabytes)M /dev/urandom > '\(large)'")
            let shipLarge = try timedWithRSS("env \(environment) '\(Measure.streamsArchive)' ship --root '\(root)' --to s3://bench/ours --date \(date)")
            let peerLarge = try boto3([(large, "peer/rejected/date=\(date)/part-bench-000001.jsonl.gz")], server: server)
            row("one \(megabytes) MiB file (multipart: ours 8 MiB parts, 4 in flight; boto3 8 MiB, 10 in flight)", Int64(megabytes) << 20, shipLarge, peerLarge)
            try FileManager.default.removeItem(atPath: large)
        }
    }

    private func row(_ what: String, _ bytes: Int64, _ ours: (seconds: Double, rssKB: Int), _ peer: (seconds: Double, rssKB: Int)) {
        let megabytes = Double(bytes) / 1e6
        print(
            "| \(what) | \(String(format: "%.2f", ours.seconds)) | \(String(format: "%.2f", peer.seconds)) | \(String(format: "%.1f", megabytes / ours.seconds)) | "
                + "\(String(format: "%.1f", megabytes / peer.seconds)) | **\(String(format: "%.2f", peer.seconds / ours.seconds))×** | "
                + "\(ours.rssKB / 1024) | \(peer.rssKB / 1024) |"
        )
    }

    /// Wall time and peak RSS of a command (run by Python's resource module as a child).
    private func timedWithRSS(_ command: String) throws -> (seconds: Double, rssKB: Int) {
        let script = "import resource,subprocess,sys,time; t=time.monotonic(); r=subprocess.run(sys.argv[1],shell=True,stderr=subprocess.DEVNULL); "
            + "d=time.monotonic()-t; sys.exit(r.returncode) if r.returncode else print(d, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        let output = try Measure.output("python3 -c '\(script)' \"\(command.replacingOccurrences(of: "\"", with: "\\\""))\"").split(separator: " ")
        guard output.count == 2, let seconds = Double(output[0]), let rss = Int(output[1].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchFailure("could not time: \(command)")
        }
        return (seconds, rss)
    }

    /// The files ship put in the bucket for the day, with the keys boto3 gives them under `prefix`.
    private func shippedFiles(root: String, prefix: String) throws -> [(path: String, key: String)] {
        let names = try Measure.output("cd '\(root)' && find events reports $(test -d rejected && echo rejected) -type f ! -name '_SHIPPED.json' ! -name '.*' | sort").split(separator: "\n")
        return names.map { ("\(root)/\($0)", "\(prefix)/\($0)") }
    }

    private func boto3(_ files: [(path: String, key: String)], server: MotoServer, head: Bool = false) throws -> (seconds: Double, rssKB: Int) {
        let list = scratch + "/boto3-list-\(files.count)\(head ? "-head" : "").txt"
        try Data(files.map { "\($0.path) \($0.key)\n" }.joined().utf8).write(to: URL(fileURLWithPath: list))
        let output = try Measure.output("AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench python3 '\(MotoServer.benchmarks)/s3/boto3_upload.py' \(server.endpoint) bench\(head ? " --head" : "") < '\(list)'")
        let parts = output.split(separator: " ")
        guard parts.count == 2, let seconds = Double(parts[0]), let rss = Int(parts[1].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchFailure("boto3 peer: \(output)")
        }
        return (seconds, rss)
    }
}

/// moto's S3 API server on loopback for the benchmark, with a bucket `bench`.
struct MotoServer {
    static let benchmarks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path
    let process: Process
    let endpoint: String
    let version: String

    init(scratch: String) throws {
        let log = scratch + "/moto.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec moto_server -H 127.0.0.1 -p 0 > '\(log)' 2>&1"]
        try process.run()
        var port: String?
        for _ in 0..<200 where port == nil {
            Thread.sleep(forTimeInterval: 0.05)
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            port = text.components(separatedBy: "Running on http://127.0.0.1:").dropFirst().first.map { String($0.prefix { $0.isNumber }) }
        }
        guard let port else { throw BenchFailure("moto_server did not start (pip install \"moto[server]\" boto3)") }
        endpoint = "http://127.0.0.1:\(port)"
        version = try Measure.output("python3 -c 'import moto; print(moto.__version__)'").trimmingCharacters(in: .whitespacesAndNewlines)
        try Measure.shell("python3 -c 'import boto3; boto3.client(\"s3\", endpoint_url=\"\(endpoint)\", region_name=\"us-east-1\", aws_access_key_id=\"b\", aws_secret_access_key=\"b\").create_bucket(Bucket=\"bench\")'")
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
