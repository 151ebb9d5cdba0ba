import ArgumentParser
import Foundation
import StreamsArchive

/// Where `nightly` and `retain` take the ship destination from: `--ship-to`, else `STREAMS_SHIP_TO`.
struct ShipOptions: ParsableArguments {
    @Option(help: "Object storage to ship to and to require before raw events are removed: s3://BUCKET/PREFIX (default: $STREAMS_SHIP_TO).")
    var shipTo: String?

    @Flag(help: "Without a ship destination, let retention remove raw events that exist nowhere else.")
    var deleteUnshipped = false

    /// The destination given, if any.
    var destination: String? { Self.destination(shipTo) }

    /// `given`, else a non-empty `STREAMS_SHIP_TO`.
    static func destination(_ given: String?) -> String? {
        given ?? ProcessInfo.processInfo.environment["STREAMS_SHIP_TO"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// What retention requires before raw events go.
    var policy: Retention.ShipPolicy {
        destination.map { .shippedTo($0) } ?? (deleteUnshipped ? .deleteUnshipped : .keepUnshipped)
    }

    func validate() throws {
        if let destination, !destination.hasPrefix("s3://") {
            throw ValidationError("--ship-to (or STREAMS_SHIP_TO) must be s3://BUCKET/PREFIX, not '\(destination)'")
        }
        if destination != nil, deleteUnshipped {
            throw ValidationError("--delete-unshipped is for archives without a ship destination; with one, retention removes only what is shipped")
        }
    }
}
