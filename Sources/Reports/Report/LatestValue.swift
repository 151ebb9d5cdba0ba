/// The value of a descriptive field (a campaign's name, an event's display name) from the latest event that
/// carries it: greatest event_time, ties broken by the greater event_uuid. Events where the field is absent or
/// null do not count. A campaign renamed during the day is reported under its newest name, and the choice
/// does not depend on which worker read which file first.
struct LatestValue: Sendable {
    private(set) var value: ByteString?
    private var time = Int64.min
    private var uuid = ByteString.empty

    /// Takes the field `slot` of `event` if the event is newer; copies the value only when it changed.
    mutating func offer(_ event: EventLine, _ slot: Int, time: Int64, uuid: ByteString) {
        guard value == nil || (time, uuid) > (self.time, self.uuid) else { return }
        if let value, event.matches(slot, value) {
            self.time = time
            self.uuid = uuid
        } else if let candidate = event.text(slot) {
            value = candidate
            self.time = time
            self.uuid = uuid
        }
    }

    mutating func merge(_ other: LatestValue) {
        guard let candidate = other.value, value == nil || (other.time, other.uuid) > (time, uuid) else { return }
        value = candidate
        time = other.time
        uuid = other.uuid
    }
}
