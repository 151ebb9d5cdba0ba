import Foundation
import ObjectStorage
import Testing

/// Credentials, region and endpoint resolved as the AWS CLI resolves them, from an environment and shared
/// files written by the test.
@Suite("S3 settings as the AWS CLI reads them")
struct S3SettingsTests {
    let directory = TestDirectory()

    func files(credentials: String = "", config: String = "") throws -> [String: String] {
        try Data(credentials.utf8).write(to: URL(fileURLWithPath: directory.file("credentials")))
        try Data(config.utf8).write(to: URL(fileURLWithPath: directory.file("config")))
        return ["AWS_SHARED_CREDENTIALS_FILE": directory.file("credentials"), "AWS_CONFIG_FILE": directory.file("config"), "HOME": directory.path]
    }

    @Test("the environment's keys win over the profile's; the session token comes with them")
    func environmentWins() throws {
        var environment = try files(credentials: "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n")
        environment["AWS_ACCESS_KEY_ID"] = "ENVKEY"
        environment["AWS_SECRET_ACCESS_KEY"] = "envsecret"
        environment["AWS_SESSION_TOKEN"] = "token"
        let settings = try S3Settings.resolve(bucket: "bucket", environment: environment)
        #expect(settings.credentials == AWSCredentials(accessKeyID: "ENVKEY", secretAccessKey: "envsecret", sessionToken: "token"))
    }

    @Test("AWS_PROFILE picks [NAME] in credentials and [profile NAME] in config (region, endpoint_url); comments and nested blocks are skipped")
    func namedProfile() throws {
        var environment = try files(
            credentials: "# keys\n[default]\naws_access_key_id = D\naws_secret_access_key = d\n[archive]\naws_access_key_id = A\naws_secret_access_key = a\n",
            config: "[default]\nregion = us-west-2\n[profile archive]\nregion = eu-west-1\ns3 =\n  addressing_style = path\nendpoint_url = https://minio.example:9000\n"
        )
        environment["AWS_PROFILE"] = "archive"
        let settings = try S3Settings.resolve(bucket: "bucket", environment: environment)
        #expect(settings.credentials.accessKeyID == "A")
        #expect(settings.region == "eu-west-1")
        #expect(settings.endpoint.absoluteString == "https://minio.example:9000")
        #expect(settings.pathStyle)
    }

    @Test("region: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's, else us-east-1; AWS is virtual-hosted")
    func regionOrder() throws {
        var environment = try files(credentials: "[default]\naws_access_key_id = K\naws_secret_access_key = s\n", config: "[default]\nregion = ap-south-1\n")
        #expect(try S3Settings.resolve(bucket: "b-1", environment: environment).region == "ap-south-1")
        environment["AWS_DEFAULT_REGION"] = "sa-east-1"
        #expect(try S3Settings.resolve(bucket: "b-1", environment: environment).region == "sa-east-1")
        environment["AWS_REGION"] = "eu-central-1"
        let settings = try S3Settings.resolve(bucket: "b-1", environment: environment)
        #expect(settings.region == "eu-central-1")
        let client = S3Client(settings: settings, bucket: "b-1")
        #expect(client.host == "b-1.s3.eu-central-1.amazonaws.com" && client.encodedPath("events/date=D/x") == "/events/date%3DD/x")
        let dotted = S3Client(settings: try S3Settings.resolve(bucket: "acme.streams", environment: environment), bucket: "acme.streams")
        #expect(dotted.host == "s3.eu-central-1.amazonaws.com" && dotted.encodedPath("x") == "/acme.streams/x", "a dotted bucket goes path-style")
    }

    @Test("endpoint: AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL; plain http only on loopback")
    func endpointOrder() throws {
        var environment = try files(credentials: "[default]\naws_access_key_id = K\naws_secret_access_key = s\n")
        environment["AWS_ENDPOINT_URL"] = "https://general.example"
        #expect(try S3Settings.resolve(bucket: "bucket", environment: environment).endpoint.absoluteString == "https://general.example")
        environment["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:9000"
        #expect(try S3Settings.resolve(bucket: "bucket", environment: environment).endpoint.absoluteString == "http://127.0.0.1:9000")
        environment["AWS_ENDPOINT_URL_S3"] = "https://storage.example:443"
        let defaultPort = try S3Settings.resolve(bucket: "bucket", environment: environment)
        #expect(S3Client(settings: defaultPort, bucket: "bucket").host == "storage.example", "a default port is not signed: clients leave it out of Host")
        environment["AWS_ENDPOINT_URL_S3"] = "http://storage.example:9000"
        #expect(throws: ObjectStoreError.self) { try S3Settings.resolve(bucket: "bucket", environment: environment) }
    }

    @Test("no credentials anywhere: an error that says where they are read from")
    func noCredentials() throws {
        let environment = try files()
        do {
            _ = try S3Settings.resolve(bucket: "bucket", environment: environment)
            Issue.record("resolved without credentials")
        } catch {
            #expect("\(error)".contains("AWS_ACCESS_KEY_ID") && "\(error)".contains("~/.aws/credentials"))
        }
    }

    @Test("credentials print without their secret")
    func secretNotPrinted() {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "very-secret")
        #expect(!"\(credentials)".contains("very-secret") && "\(credentials)".contains("AKIDEXAMPLE"))
    }

    @Test("s3:// locations: bucket and prefix, keys under the prefix, bad names refused")
    func locations() throws {
        let location = try S3Location(parsing: "s3://acme-streams/prod/archive/")
        #expect(location.bucket == "acme-streams" && location.prefix == "prod/archive")
        #expect(location.key("events/date=2026-03-14/x") == "prod/archive/events/date=2026-03-14/x")
        #expect(location.relativePath(ofKey: "prod/archive/reports/a") == "reports/a")
        for bad in ["gs://bucket/x", "s3://Bucket/x", "s3://ab/x", "s3://bucket/../x"] {
            #expect(throws: ObjectStoreError.self, "\(bad)") { try S3Location(parsing: bad) }
        }
    }
}
