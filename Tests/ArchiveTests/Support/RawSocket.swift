import Foundation

/// A client TCP socket to 127.0.0.1 for protocol tests: sends exact bytes (malformed ones included), reads with a
/// timeout and tells end of stream from silence. Closed when released.
final class RawSocket {
    enum Read: Equatable {
        case bytes([UInt8])
        case endOfStream
        case timedOut
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let fd: Int32

    /// Connects; with `waiting: false` the connect is not waited for (to open many at once), and a refused one is
    /// reported by the first read.
    init(port: Int, waiting: Bool = true) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        if !waiting { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 || (!waiting && errno == EINPROGRESS) else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "connect to port \(port): \(reason)")
        }
        if !waiting { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) }
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            sent += n
        }
    }

    /// One read: what has arrived, or end of stream, or nothing within `timeout`.
    func read(timeout: Duration) -> Read {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, milliseconds) > 0 else { return .timedOut }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if n > 0 { return .bytes(Array(chunk[0..<n])) }
        if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return .timedOut }
        return .endOfStream
    }

    /// Everything until the server ends the stream, or until `timeout` passes; and whether the end arrived.
    func readToEnd(timeout: Duration) -> (text: String, ended: Bool) {
        let deadline = ContinuousClock.now + timeout
        var received: [UInt8] = []
        while ContinuousClock.now < deadline {
            switch read(timeout: deadline - ContinuousClock.now) {
            case .bytes(let bytes): received += bytes
            case .endOfStream: return (String(decoding: received, as: UTF8.self), true)
            case .timedOut: break
            }
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// Reads until `text` holds a whole response (head and Content-Length body), the stream ends or `timeout` passes.
    func readResponse(timeout: Duration) -> String {
        let deadline = ContinuousClock.now + timeout
        var received: [UInt8] = []
        while ContinuousClock.now < deadline, !RawResponse.isComplete(String(decoding: received, as: UTF8.self)) {
            guard case .bytes(let bytes) = read(timeout: deadline - ContinuousClock.now) else { break }
            received += bytes
        }
        return String(decoding: received, as: UTF8.self)
    }
}

/// Reads HTTP/1.1 responses out of raw text, independently of the code under test.
enum RawResponse {
    /// The status codes of the responses in `text`, in order (interim `100`s included).
    static func statuses(_ text: String) -> [Int] {
        text.components(separatedBy: "\r\n").compactMap { line in
            guard line.hasPrefix("HTTP/1."), line.count >= 12 else { return nil }
            return Int(line.dropFirst(9).prefix(3))
        }
    }

    /// The value of header `name` (any case) in the first final (non-1xx) response of `text`.
    static func header(_ name: String, in text: String) -> String? {
        for block in text.components(separatedBy: "\r\n\r\n") where statuses(block).first.map({ $0 >= 200 }) ?? false {
            for line in block.components(separatedBy: "\r\n").dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() { return parts[1].trimmingCharacters(in: .whitespaces) }
            }
            return nil
        }
        return nil
    }

    /// Whether `text` holds a whole final response (head ended, Content-Length body read).
    static func isComplete(_ text: String) -> Bool {
        var rest = Substring(text)
        while let headEnd = rest.range(of: "\r\n\r\n") {
            let head = String(rest[..<headEnd.lowerBound])
            rest = rest[headEnd.upperBound...]
            guard let status = statuses(head).first else { return false }
            if status < 200 { continue }
            let length = Int(header("content-length", in: head + "\r\n\r\n") ?? "0") ?? 0
            return rest.utf8.count >= length
        }
        return false
    }
}
