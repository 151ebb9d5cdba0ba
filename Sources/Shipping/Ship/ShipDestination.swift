import Foundation
import ObjectStorage

/// Where an archive ships: the bucket and prefix, and a client for it with credentials and endpoint resolved
/// from the environment as the AWS CLI resolves them. Secrets are read here and never printed.
package struct ShipDestination: Sendable {
    package let location: S3Location
    package let client: S3Client

    /// Parses `s3://BUCKET/PREFIX` and resolves the settings from `environment`.
    package init(_ url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ObjectStoreError) {
        location = try S3Location(parsing: url)
        client = S3Client(settings: try S3Settings.resolve(bucket: location.bucket, environment: environment), bucket: location.bucket)
    }

    /// The destination as recorded in `_SHIPPED.json` and printed.
    package var description: String { location.description }
}
