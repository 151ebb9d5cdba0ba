import Foundation

/// Everything needed to reach a bucket, resolved as the AWS CLI resolves it, from the environment and the
/// shared files: credentials (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, else the
/// profile `AWS_PROFILE` or `default` in `~/.aws/credentials`, then `~/.aws/config`), region (`AWS_REGION`, then
/// `AWS_DEFAULT_REGION`, then the profile's `region`, else `us-east-1`) and endpoint (`AWS_ENDPOINT_URL_S3`, then
/// `AWS_ENDPOINT_URL`, then the profile's `endpoint_url`, else AWS's own). Files move with
/// `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE`.
///
/// A custom endpoint (MinIO, Ceph RGW, R2, GCS's XML API, a loopback test server) is addressed path-style
/// (`ENDPOINT/BUCKET/KEY`); AWS virtual-hosted (`BUCKET.s3.REGION.amazonaws.com/KEY`) when the bucket name allows.
/// Plain `http://` is accepted only for a loopback host: anything else must be `https://`.
package struct S3Settings: Sendable {
    package let credentials: AWSCredentials
    package let region: String
    /// `scheme://host[:port]`, no path.
    package let endpoint: URL
    package let pathStyle: Bool

    package init(credentials: AWSCredentials, region: String, endpoint: URL, pathStyle: Bool) {
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint
        self.pathStyle = pathStyle
    }

    /// Resolves settings for `bucket` from `environment` (normally the process's) and the shared files.
    package static func resolve(bucket: String, environment: [String: String]) throws(ObjectStoreError) -> S3Settings {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let files = try AWSSharedFiles(
            credentialsPath: environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials",
            configPath: environment["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
        )
        return try resolve(bucket: bucket, environment: environment, files: files)
    }

    package static func resolve(bucket: String, environment: [String: String], files: AWSSharedFiles) throws(ObjectStoreError) -> S3Settings {
        func nonEmpty(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let profile = nonEmpty("AWS_PROFILE") ?? "default"
        let config = files.configProfile(profile) ?? [:]
        let credentials: AWSCredentials
        if let key = nonEmpty("AWS_ACCESS_KEY_ID"), let secret = nonEmpty("AWS_SECRET_ACCESS_KEY") {
            credentials = AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: nonEmpty("AWS_SESSION_TOKEN"))
        } else if let fromFile = Self.credentials(in: files.credentialsProfile(profile)) ?? Self.credentials(in: config) {
            credentials = fromFile
        } else if nonEmpty("AWS_PROFILE") != nil, files.credentialsProfile(profile) == nil, files.configProfile(profile) == nil {
            throw .configuration("AWS_PROFILE names '\(profile)', which is in neither ~/.aws/credentials nor ~/.aws/config")
        } else {
            throw .configuration(
                "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), "
                    + "or give profile '\(profile)' aws_access_key_id and aws_secret_access_key in ~/.aws/credentials"
            )
        }
        let region = nonEmpty("AWS_REGION") ?? nonEmpty("AWS_DEFAULT_REGION") ?? config["region"] ?? "us-east-1"
        if let custom = nonEmpty("AWS_ENDPOINT_URL_S3") ?? nonEmpty("AWS_ENDPOINT_URL") ?? config["endpoint_url"] {
            return S3Settings(credentials: credentials, region: region, endpoint: try Self.endpoint(custom), pathStyle: true)
        }
        // The regional endpoint; the client puts a DNS-safe bucket in front of it (virtual-hosted style).
        return S3Settings(credentials: credentials, region: region, endpoint: URL(string: "https://s3.\(region).amazonaws.com")!, pathStyle: bucket.contains("."))
    }

    private static func credentials(in section: [String: String]?) -> AWSCredentials? {
        guard let section, let key = section["aws_access_key_id"], let secret = section["aws_secret_access_key"], !key.isEmpty, !secret.isEmpty else {
            return nil
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: section["aws_session_token"])
    }

    /// Checks an endpoint override: http(s), a host, no path; plain http only on loopback.
    static func endpoint(_ text: String) throws(ObjectStoreError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw .configuration("the endpoint '\(text)' is not a URL like https://host[:port]")
        }
        guard url.path.isEmpty || url.path == "/", url.query == nil else {
            throw .configuration("the endpoint '\(text)' has a path or query; give only https://host[:port]")
        }
        switch scheme {
        case "https":
            break
        case "http" where isLoopback(host):
            break
        case "http":
            throw .configuration("the endpoint '\(text)' is plain http on a non-loopback host: use https (plain http is for loopback only)")
        default:
            throw .configuration("the endpoint '\(text)' must be https:// (or http:// on loopback)")
        }
        // A default port is left out: clients send `Host` without it, and the signature must match.
        let port = url.port.flatMap { ($0 == 443 && scheme == "https") || ($0 == 80 && scheme == "http") ? nil : ":\($0)" } ?? ""
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return URL(string: "\(scheme)://\(bracketed)\(port)")!
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }
}
