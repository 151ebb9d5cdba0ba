import Synchronization

/// Counters a terminal's progress line reads while shipping runs on several threads.
package final class ShipProgress: Sendable {
    private let sent = Atomic<Int64>(0)
    private let objects = Atomic<Int>(0)
    private let plannedBytes = Atomic<Int64>(0)
    private let plannedObjects = Atomic<Int>(0)

    package init() {}

    func plan(objects count: Int, bytes: Int64) {
        plannedObjects.add(count, ordering: .relaxed)
        plannedBytes.add(bytes, ordering: .relaxed)
    }

    func sent(_ bytes: Int64) { sent.add(bytes, ordering: .relaxed) }
    func finishedObject() { objects.add(1, ordering: .relaxed) }

    package var bytesSent: Int64 { sent.load(ordering: .relaxed) }
    package var objectsDone: Int { objects.load(ordering: .relaxed) }
    package var bytesPlanned: Int64 { plannedBytes.load(ordering: .relaxed) }
    package var objectsPlanned: Int { plannedObjects.load(ordering: .relaxed) }
}
