/// What went wrong talking to the object store, with what to do about it. Never carries a secret.
package enum ObjectStoreError: Error, Sendable, CustomStringConvertible {
    /// The destination, credentials or endpoint are not usable as given.
    case configuration(String)
    /// No HTTP answer: the endpoint could not be reached, or the connection broke.
    case unreachable(operation: String, endpoint: String, reason: String)
    /// The store answered with an error status (its `Code` and `Message` from the error XML when it sent one).
    case refused(operation: String, key: String, status: Int, code: String, message: String)
    /// The store answered in a way this client cannot read.
    case malformedResponse(operation: String, key: String, detail: String)

    /// The HTTP status, when the store answered.
    package var status: Int? {
        if case .refused(_, _, let status, _, _) = self { return status }
        return nil
    }

    /// The S3 error code (`NoSuchKey`, `PreconditionFailed`, …), when the store sent one.
    package var code: String? {
        if case .refused(_, _, _, let code, _) = self { return code }
        return nil
    }

    package var description: String {
        switch self {
        case .configuration(let message):
            return message
        case .unreachable(let operation, let endpoint, let reason):
            return "\(operation): cannot reach \(endpoint) (\(reason)): check the network and AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL"
        case .refused(let operation, let key, let status, let code, let message):
            let what = key.isEmpty ? operation : "\(operation) \(key)"
            return "\(what): the store answered \(status) \(code)\(message.isEmpty ? "" : ": \(message)")\(Self.advice(status: status, code: code))"
        case .malformedResponse(let operation, let key, let detail):
            return "\(operation) \(key): unreadable answer from the store (\(detail))"
        }
    }

    private static func advice(status: Int, code: String) -> String {
        switch code {
        case "SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidClientTokenId", "ExpiredToken", "InvalidToken":
            return " (check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN or the profile's keys)"
        case "NoSuchBucket":
            return " (create the bucket, or fix the destination)"
        case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
            return " (the bucket is in another region: set AWS_REGION to the bucket's region)"
        case "AccessDenied":
            return " (the credentials lack permission: s3:PutObject, s3:GetObject, s3:ListBucket, s3:DeleteObject, s3:AbortMultipartUpload)"
        default:
            return status >= 500 ? " (the store is failing: try again later)" : ""
        }
    }
}
