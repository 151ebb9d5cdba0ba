import Foundation

/// How one directory's shipping ended, folded into the run's `ShipSummary`.
struct UnitOutcome: Sendable {
    enum State: Sendable {
        case shipped
        case alreadyShipped
        case notSealed
        case nothingToShip
        case failed(String)
    }

    let unit: String
    var state = State.nothingToShip
    /// A shipped hour's events, from its manifest.
    var events = 0
    var uploaded = 0
    var alreadyThere = 0
    var bytesUploaded: Int64 = 0
    var superseded = 0
    var readBack = false
    var storeChecksum = false
    var mismatches: [(key: String, detail: String)] = []

    init(unit: String) { self.unit = unit }
}

/// The outcome of each unit, set by the worker that shipped it (each writes only its own slot, under a lock).
final class UnitOutcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [UnitOutcome?]

    init(_ count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ outcome: UnitOutcome) { lock.withLock { slots[index] = outcome } }

    func summary() -> ShipSummary {
        lock.withLock {
            var summary = ShipSummary()
            for outcome in slots.compactMap({ $0 }) {
                switch outcome.state {
                case .shipped:
                    summary.shipped += 1
                    summary.events += outcome.events
                case .alreadyShipped: summary.alreadyShipped += 1
                case .notSealed: summary.notSealed += 1
                case .nothingToShip: break
                case .failed(let message): summary.failures.append((outcome.unit, message))
                }
                summary.uploaded += outcome.uploaded
                summary.alreadyThere += outcome.alreadyThere
                summary.bytesUploaded += outcome.bytesUploaded
                summary.superseded += outcome.superseded
                summary.readBack = summary.readBack || outcome.readBack
                summary.storeChecksum = summary.storeChecksum || outcome.storeChecksum
                summary.mismatches += outcome.mismatches
            }
            return summary
        }
    }
}
