import Foundation
import Glibc
import StreamsArchive

/// A minimal blocking HTTP/1.1 client connection with keep-alive, enough to POST batches and read answers.
///
/// One connection per thread; after any error it closes and reconnects on the next request.
public final class HTTPConnection {
    public struct Reply: Sendable {
        public let status: Int
        /// Header values by lowercased name.
        public let headers: [String: String]
        public let body: [UInt8]
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let host: String
    public let port: Int
    private let timeoutSeconds: Int
    private var socket: Int32 = -1
    private var buffer: [UInt8] = []

    public init(host: String, port: Int, timeoutSeconds: Int = 60) {
        self.host = host
        self.port = port
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { close() }

    public func close() {
        if socket >= 0 { Glibc.close(socket) }
        socket = -1
        buffer.removeAll()
    }

    /// Sends one request and waits for its answer.
    public func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws(Failure) -> Reply {
        do {
            if socket < 0 { try connect() }
            var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Length: \(body.count)\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            try send(Array((head + "\r\n").utf8) + body)
            return try readReply()
        } catch {
            close()
            throw error
        }
    }

    private func connect() throws(Failure) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { throw Failure(description: "cannot resolve \(host)") }
        defer { freeaddrinfo(list) }
        let fd = Glibc.socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        guard Glibc.connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure(description: "connect to \(host):\(port): \(reason)")
        }
        socket = fd
    }

    private func send(_ bytes: [UInt8]) throws(Failure) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            sent += n
        }
    }

    private func readReply() throws(Failure) -> Reply {
        let headEnd = try readUntilHeadEnd()
        let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        let lines = head.split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "bad status line: \(lines.first ?? "")") }
        var length = 0
        var chunked = false
        var closeAfter = false
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let raw = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard raw.count == 2 else { continue }
            headers[raw[0].lowercased()] = raw[1]
            let pair = raw.map { $0.lowercased() }
            if pair[0] == "content-length" { length = Int(pair[1]) ?? 0 }
            if pair[0] == "transfer-encoding" && pair[1].contains("chunked") { chunked = true }
            if pair[0] == "connection" && pair[1] == "close" { closeAfter = true }
        }
        let body = chunked ? try readChunked() : try readExactly(length)
        if closeAfter { close() }
        return Reply(status: status, headers: headers, body: body)
    }

    private func readUntilHeadEnd() throws(Failure) -> Int {
        let marker: [UInt8] = [13, 10, 13, 10]
        var searchFrom = 0
        while true {
            if buffer.count >= 4 {
                for index in searchFrom...(buffer.count - 4) where buffer[index] == 13 && Array(buffer[index..<index + 4]) == marker {
                    return index
                }
                searchFrom = buffer.count - 3
            }
            try fill()
        }
    }

    private func readExactly(_ count: Int) throws(Failure) -> [UInt8] {
        while buffer.count < count { try fill() }
        let bytes = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return bytes
    }

    private func readChunked() throws(Failure) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            while !buffer.contains(10) { try fill() }
            let lineEnd = buffer.firstIndex(of: 10)!
            let sizeText = String(decoding: buffer[0..<lineEnd], as: UTF8.self).split(separator: ";").first?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            buffer.removeFirst(lineEnd + 1)
            guard let size = Int(sizeText, radix: 16) else { throw Failure(description: "bad chunk size") }
            body += try readExactly(size)
            _ = try readExactly(2)
            if size == 0 { return body }
        }
    }

    private func fill() throws(Failure) {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw Failure(description: n == 0 ? "connection closed by the server" : "recv: \(String(cString: strerror(errno)))") }
        buffer.append(contentsOf: chunk[0..<n])
    }
}
