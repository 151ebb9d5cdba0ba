/// The value of a descriptive field (a campaign's name, an event's display name) from the latest event that
/// carries it: greatest event_time, ties broken by the greater event_uuid in byte order. Events where the field
/// is absent or null do not count. A campaign renamed during the day is reported under its newest name, and the
/// choice does not depend on which worker read which file first.
///
/// Offers compare against the line in place: the value is copied only when it changes, and the uuid is kept in
/// a buffer reused from one offer to the next, so counting a day allocates nothing here per event.
struct LatestValue: Sendable {
    private(set) var value: ByteString?
    private var time = Int64.min
    private var uuid: [UInt8] = []

    /// Takes the field `slot` of `event` if the event is newer than the one the value came from.
    mutating func offer(_ event: EventLine, _ slot: Int, time: Int64) {
        guard value == nil || time > self.time || (time == self.time && event.compare(0, uuid) > 0) else { return }
        if let value, event.matches(slot, value) {
            take(time: time, uuidOf: event)
        } else if let candidate = event.text(slot) {
            value = candidate
            take(time: time, uuidOf: event)
        }
    }

    private mutating func take(time: Int64, uuidOf event: EventLine) {
        self.time = time
        uuid.removeAll(keepingCapacity: true)
        event.append(0, to: &uuid)
    }

    mutating func merge(_ other: LatestValue) {
        guard let candidate = other.value,
            value == nil || other.time > time || (other.time == time && uuid.lexicographicallyPrecedes(other.uuid))
        else { return }
        value = candidate
        time = other.time
        uuid = other.uuid
    }
}
