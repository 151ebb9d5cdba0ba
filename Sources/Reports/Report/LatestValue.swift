/// The value of a descriptive field (a campaign's name, an event's display name) from the latest event that
/// carries it: greatest event_time, ties broken by the greater event_uuid. Events where the field is absent or
/// null do not count. A campaign renamed during the day is reported under its newest name, and the choice
/// does not depend on which worker read which file first.
struct LatestValue: Sendable {
    private(set) var value: ByteString?
    private var time = Int64.min
    private var uuid = ByteString.empty

    /// Takes `candidate` if it is newer; `candidate` is evaluated only then, so unchanged names cost no copy.
    mutating func offer(_ candidate: @autoclosure () -> ByteString?, time: Int64, uuid: ByteString) {
        guard value == nil || (time, uuid) > (self.time, self.uuid), let candidate = candidate() else { return }
        value = candidate
        self.time = time
        self.uuid = uuid
    }

    mutating func merge(_ other: LatestValue) {
        offer(other.value, time: other.time, uuid: other.uuid)
    }
}
