import StreamsArchive

/// How a supervisor (the demo, the benchmarks, a test, an init script) learns that a receiver in another
/// process is listening, and on which port, without reading its console output.
///
/// With `ReceiverConfiguration.readyFile` set, `Receiver.run` writes `{"host":"…","port":N}` there once the
/// socket accepts connections: atomically (a reader sees no file or the whole file) and fsynced. It removes
/// the file when it stops cleanly and, should an earlier run have crashed, as it starts; a supervisor that
/// reuses one path removes it before starting a receiver, so that what it reads is this run's.
public struct ReceiverReadiness: Sendable, Equatable {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// The Streams endpoint on this host and port.
    public var url: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/streams" }

    func write(to path: String) throws(StorageError) {
        var json = JSONBuilder()
        json.beginObject()
        json.string("host", host)
        json.number("port", port)
        json.endObject()
        try AtomicFile.write(json.bytes + [0x0A], to: path)
    }

    static func clear(_ path: String) throws(StorageError) { try Directory.removeFile(path) }

    /// The readiness a receiver wrote at `path`; nil while there is none yet.
    public static func read(from path: String) throws -> ReceiverReadiness? {
        guard let file = try POSIXFile.openForReadingIfExists(path) else { return nil }
        let document = try JSONScanner().document(try file.readToEnd())
        guard document.kind(document.root) == .object, let host = document.member(of: document.root, named: "host").flatMap(document.string),
            let port = document.member(of: document.root, named: "port").flatMap(document.integer)
        else { throw ReceiverReadinessError(path: path) }
        return ReceiverReadiness(host: host, port: Int(port))
    }
}

/// A readiness file that is not one `ReceiverReadiness` wrote.
public struct ReceiverReadinessError: Error, CustomStringConvertible {
    public let path: String
    public var description: String { "\(path) is not a receiver's readiness file (expected {\"host\":…,\"port\":…}); remove it and start the receiver again" }
}
