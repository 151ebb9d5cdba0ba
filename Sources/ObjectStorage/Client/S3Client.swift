import Crypto
import Dispatch
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The S3 calls shipping needs, signed with SigV4, over FoundationNetworking's `URLSession` (libcurl: HTTPS with
/// the system's CA store, kept-alive connections).
///
/// Calls are synchronous: the batch side works on Dispatch workers, and each call blocks its worker until the
/// store answers (a semaphore on the completion handler), so concurrency is the caller's worker count. Bodies are
/// streamed from files (`uploadTask(fromFile:)`) or are one multipart part; downloads go to a file. A transport
/// failure or a 500/503 is retried twice with backoff; every other answer is returned or thrown as it came.
/// Payloads are always signed with their SHA-256, which the caller knows (it is also the object's checksum).
package final class S3Client: Sendable {
    package let settings: S3Settings
    package let bucket: String
    private let session: URLSession
    private let signer: SigV4Signer

    /// What the store answered: status, headers (names lower-cased) and body.
    package struct Response: Sendable {
        package let status: Int
        package let headers: [String: String]
        package let body: Data
    }

    /// A request body.
    package enum Body: Sendable {
        case none
        case data(Data)
        case file(String)
    }

    package init(settings: S3Settings, bucket: String) {
        self.settings = settings
        self.bucket = bucket
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 120
        configuration.httpMaximumConnectionsPerHost = 8
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
        signer = SigV4Signer(credentials: settings.credentials, region: settings.region, service: "s3")
    }

    deinit { session.finishTasksAndInvalidate() }

    /// The endpoint and bucket, for messages (no credentials).
    package var endpointDescription: String { "\(settings.endpoint.absoluteString) bucket \(bucket)" }

    /// Sends one signed request; `download` receives a GET's body as a file moved to that path.
    package func send(
        _ operation: String, method: String, key: String?, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = [],
        body: Body = .none, payloadSHA256: String = SigV4Signer.emptyPayloadSHA256, download: String? = nil
    ) throws(ObjectStoreError) -> Response {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try sendOnce(operation, method: method, key: key, query: query, headers: headers, body: body, payloadSHA256: payloadSHA256, download: download)
                if [500, 502, 503, 504].contains(response.status), attempt < 3 {
                    Thread.sleep(forTimeInterval: 0.25 * Double(attempt * attempt))
                    continue
                }
                return response
            } catch {
                if case .unreachable = error, attempt < 3 {
                    Thread.sleep(forTimeInterval: 0.25 * Double(attempt * attempt))
                    continue
                }
                throw error
            }
        }
    }

    /// Throws the store's error unless `response.status` is one of `expected`.
    package func require(_ response: Response, _ expected: Set<Int>, operation: String, key: String) throws(ObjectStoreError) {
        guard !expected.contains(response.status) else { return }
        let xml = S3XML.parse(response.body)
        throw .refused(
            operation: operation, key: key, status: response.status, code: xml?["Code"] ?? Self.reason(response.status),
            message: xml?["Message"] ?? ""
        )
    }

    private func sendOnce(
        _ operation: String, method: String, key: String?, query: [(name: String, value: String)], headers: [(name: String, value: String)],
        body: Body, payloadSHA256: String, download: String?
    ) throws(ObjectStoreError) -> Response {
        let time = SigningTime.now()
        let path = encodedPath(key)
        var signed = headers
        signed.append(("host", host))
        signed.append(("x-amz-date", time.amzDate))
        signed.append(("x-amz-content-sha256", payloadSHA256))
        if let token = settings.credentials.sessionToken { signed.append(("x-amz-security-token", token)) }
        let request = SignableRequest(method: method, encodedPath: path, query: query, headers: signed, payloadHash: payloadSHA256)
        let queryString = request.canonicalQuery
        let scheme = settings.endpoint.scheme ?? "https"
        guard let url = URL(string: "\(scheme)://\(host)\(path)\(queryString.isEmpty ? "" : "?\(queryString)")") else {
            throw .malformedResponse(operation: operation, key: key ?? "", detail: "cannot form a URL for this key")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = method
        for (name, value) in signed where name != "host" { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.setValue(signer.authorization(request, at: time), forHTTPHeaderField: "Authorization")
        urlRequest.setValue("identity", forHTTPHeaderField: "Accept-Encoding")

        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let task: URLSessionTask
        if let download {
            task = session.downloadTask(with: urlRequest) { location, response, error in
                var failure = error
                if error == nil, let location, (response as? HTTPURLResponse)?.statusCode == 200 {
                    do {
                        try? FileManager.default.removeItem(atPath: download)
                        try FileManager.default.moveItem(atPath: location.path, toPath: download)
                    } catch let moveError { failure = moveError }
                }
                let body = (response as? HTTPURLResponse)?.statusCode == 200 ? Data() : location.flatMap { try? Data(contentsOf: $0) } ?? Data()
                outcome.set(body, response, failure)
                done.signal()
            }
        } else {
            let handler: @Sendable (Data?, URLResponse?, (any Error)?) -> Void = { data, response, error in
                outcome.set(data ?? Data(), response, error)
                done.signal()
            }
            switch body {
            case .none: task = session.dataTask(with: urlRequest, completionHandler: handler)
            case .data(let data): task = session.uploadTask(with: urlRequest, from: data, completionHandler: handler)
            case .file(let path): task = session.uploadTask(with: urlRequest, fromFile: URL(fileURLWithPath: path), completionHandler: handler)
            }
        }
        task.resume()
        done.wait()
        let (data, response, error) = outcome.get()
        if let error {
            throw .unreachable(operation: operation, endpoint: settings.endpoint.absoluteString, reason: error.localizedDescription)
        }
        guard let http = response as? HTTPURLResponse else {
            throw .malformedResponse(operation: operation, key: key ?? "", detail: "no HTTP response")
        }
        var headerMap: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headerMap[name.lowercased()] = value }
        }
        return Response(status: http.statusCode, headers: headerMap, body: data)
    }

    /// The `Host` the request goes to and is signed for: the endpoint's host (an IPv6 one bracketed), with the
    /// bucket in front of it when virtual-hosted, and the port when the endpoint names one.
    package var host: String {
        var host = settings.endpoint.host ?? ""
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        if !settings.pathStyle { host = "\(bucket).\(host)" }
        if let port = settings.endpoint.port { host += ":\(port)" }
        return host
    }

    /// `/BUCKET/KEY` path-style, `/KEY` virtual-hosted; each segment of the key encoded once.
    package func encodedPath(_ key: String?) -> String {
        let keyPath = key.map { "/" + URIEncoding.encode($0, keepSlash: true) } ?? ""
        return settings.pathStyle ? "/\(bucket)\(keyPath)" : (keyPath.isEmpty ? "/" : keyPath)
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 403: "Forbidden"
        case 404: "NotFound"
        case 412: "PreconditionFailed"
        default: "HTTP\(status)"
        }
    }

    /// The completion handler's result, handed to the waiting thread.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var value: (Data, URLResponse?, (any Error)?) = (Data(), nil, nil)

        func set(_ data: Data, _ response: URLResponse?, _ error: (any Error)?) { lock.withLock { value = (data, response, error) } }
        func get() -> (Data, URLResponse?, (any Error)?) { lock.withLock { value } }
    }
}

extension SigV4Signer {
    /// SHA-256 of an empty body, hex.
    package static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}
