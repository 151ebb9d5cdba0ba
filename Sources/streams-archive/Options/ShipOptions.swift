import ArgumentParser
import Foundation
import ObjectStorage
import StreamsArchive

/// Where `nightly` and `retain` take the ship destination from: `--ship-to`, else `STREAMS_SHIP_TO`.
struct ShipOptions: ParsableArguments {
    @Option(help: "Object storage to ship to and to require before raw events are removed: s3://BUCKET/PREFIX (default: $STREAMS_SHIP_TO).")
    var shipTo: String?

    @Flag(help: "Without a ship destination, let retention remove raw events that exist nowhere else.")
    var deleteUnshipped = false

    /// The destination given, if any.
    var destination: String? { Self.destination(shipTo) }

    /// `given`, else a non-empty `STREAMS_SHIP_TO`, in its one spelling (`s3://b/p/` and `s3://b//p` are
    /// `s3://b/p`), so what ship records and what retain requires compare equal.
    static func destination(_ given: String?) -> String? {
        let raw = given ?? ProcessInfo.processInfo.environment["STREAMS_SHIP_TO"].flatMap { $0.isEmpty ? nil : $0 }
        return raw.map { (try? S3Location(parsing: $0))?.description ?? $0 }
    }

    /// Throws a usage error naming `option` unless `destination` is a valid `s3://BUCKET/PREFIX`.
    static func validate(_ destination: String, option: String) throws {
        do { _ = try S3Location(parsing: destination) } catch { throw ValidationError("\(option) (or STREAMS_SHIP_TO): \(error)") }
    }

    /// What retention requires before raw events go.
    var policy: Retention.ShipPolicy {
        destination.map { .shippedTo($0) } ?? (deleteUnshipped ? .deleteUnshipped : .keepUnshipped)
    }

    func validate() throws {
        if let destination { try Self.validate(destination, option: "--ship-to") }
        if destination != nil, deleteUnshipped {
            throw ValidationError("--delete-unshipped is for archives without a ship destination; with one, retention removes only what is shipped")
        }
    }
}
