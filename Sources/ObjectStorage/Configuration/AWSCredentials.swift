/// An access key pair (and, for temporary credentials, the session token). Printing one never shows the secret.
package struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    package let accessKeyID: String
    package let secretAccessKey: String
    package let sessionToken: String?

    package init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    package var description: String { "access key \(accessKeyID) (secret not shown)" }
}
