/// Checks, line by line in constant memory, that a sealed file is in sealed order: strictly increasing by
/// (event_time, `EventUUID` bytes), the order seal writes. An event repeated with the same event_time is
/// therefore next to its copy and seen here; the first line out of order is kept as `problem`.
struct SealedOrderCheck {
    enum Outcome: Equatable {
        case ordered
        /// The same (event_time, event_uuid) as the line before.
        case repeated
        case outOfOrder
    }

    private var previous: (time: Int64, uuid: [UInt8])?
    private(set) var problem: String?

    mutating func check(time: Int64, uuid: EventUUID, at offset: Int64) -> Outcome {
        defer { previous = (time, uuid.bytes) }
        guard let previous else { return .ordered }
        if previous.time == time && previous.uuid == uuid.bytes { return .repeated }
        if previous.time < time || (previous.time == time && previous.uuid.lexicographicallyPrecedes(uuid.bytes)) { return .ordered }
        problem = "the line at byte \(offset) of the decompressed data (event_time \(time), event_uuid \"\(uuid)\") is out of sealed order"
        return .outOfOrder
    }
}
