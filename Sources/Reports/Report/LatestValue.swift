/// The value of a descriptive field (a campaign's name, an event's display name) from the latest event that
/// carries it: greatest event_time, ties broken by the greater event_uuid in byte order. Events where the field
/// is absent or null do not count. A campaign renamed during the day is reported under its newest name, and the
/// choice does not depend on which worker read which file first.
///
/// Offers compare against the line in place: the value is decoded and copied only when the field's bytes as
/// written change (a name with escapes, such as `\"Flash\" Friday`, is not decoded again for each event), and
/// the uuid is kept in a buffer reused from one offer to the next, so counting a day allocates nothing here per
/// event.
struct LatestValue: Sendable {
    private(set) var value: ByteString?
    /// The value's field as written in the line it came from (with its escapes, if any).
    private var written: [UInt8] = []
    private var time = Int64.min
    private var uuid: [UInt8] = []

    /// Takes the field `slot` of `event` if the event is newer than the one the value came from.
    mutating func offer(_ event: EventLine, _ slot: Int, time: Int64) {
        guard value == nil || time > self.time || (time == self.time && event.compare(0, uuid) > 0), event.holds(slot) else { return }
        if value == nil || !event.isWritten(slot, as: written) {
            value = event.text(slot)
            written.removeAll(keepingCapacity: true)
            event.appendWritten(slot, to: &written)
        }
        self.time = time
        uuid.removeAll(keepingCapacity: true)
        event.append(0, to: &uuid)
    }

    mutating func merge(_ other: LatestValue) {
        guard let candidate = other.value,
            value == nil || other.time > time || (other.time == time && uuid.lexicographicallyPrecedes(other.uuid))
        else { return }
        value = candidate
        written = other.written
        time = other.time
        uuid = other.uuid
    }
}
