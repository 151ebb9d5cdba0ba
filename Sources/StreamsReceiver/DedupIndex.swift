import StreamsArchive

/// The event_uuids committed within the retry window, so a retried batch is acknowledged without being
/// written again.
///
/// Keys are 128-bit fingerprints of the uuid's bytes, which keeps memory at about 40 bytes an entry
/// whatever the uuid's length; a false match would need both 64-bit halves to collide. When more than `capacity` uuids arrive within the window the oldest are forgotten early: a
/// duplicate that slips through is still removed when its hour is sealed.
package struct DedupIndex: Sendable {
    typealias Key = Fingerprint

    package let window: Duration
    package let capacity: Int
    private var keys: Set<Key> = []
    /// Insertion order with commit times, for expiry; `head` is the oldest live entry.
    private var order: [(key: Key, time: UTCInstant)] = []
    private var head = 0

    package init(window: Duration, capacity: Int) {
        self.window = window
        self.capacity = capacity
    }

    package var count: Int { keys.count }

    package func contains(_ uuid: EventUUID) -> Bool { keys.contains(uuid.fingerprint) }

    /// Records `uuid` as committed at `time`.
    package mutating func insert(_ uuid: EventUUID, at time: UTCInstant) {
        let key = uuid.fingerprint
        guard keys.insert(key).inserted else { return }
        order.append((key, time))
        if keys.count > capacity { dropOldest() }
    }

    /// Forgets uuids committed before `now - window`.
    package mutating func expire(now: UTCInstant) {
        while head < order.count && order[head].time < now - window { dropOldest() }
    }

    private mutating func dropOldest() {
        keys.remove(order[head].key)
        head += 1
        if head > 4096 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
