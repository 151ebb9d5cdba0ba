/// The fields a batch job pulls out of each stored line: some top-level members, and some members of one
/// nested object (`event_attributes`). `event_uuid` is always slot 0, because the reader dedups on it.
package struct FieldPlan: Sendable {
    let topLevel: [[UInt8]]
    let nested: [UInt8]?
    let nestedFields: [[UInt8]]

    package init(topLevel: [String], nested: String? = nil, nestedFields: [String] = []) {
        self.topLevel = (["event_uuid"] + topLevel.filter { $0 != "event_uuid" }).map { Array($0.utf8) }
        self.nested = nested.map { Array($0.utf8) }
        self.nestedFields = nestedFields.map { Array($0.utf8) }
    }

    /// The slot of a top-level field, or of a nested field (`event_attributes.campaign_id` as "campaign_id").
    package func slot(_ name: String) -> Int {
        let bytes = Array(name.utf8)
        if let index = topLevel.firstIndex(of: bytes) { return index }
        guard let index = nestedFields.firstIndex(of: bytes) else { preconditionFailure("\(name) is not in the plan") }
        return topLevel.count + index
    }

    var slotCount: Int { topLevel.count + nestedFields.count }
}
