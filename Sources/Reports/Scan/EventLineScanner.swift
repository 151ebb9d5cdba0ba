/// Finds a `FieldPlan`'s fields in a line by walking its structure without validating scalars (see `EventLine`).
///
/// Strings are crossed eight bytes at a time to the next quote or backslash. Containers nest at most 63 levels below a member (the receiver allows 64 in all).
struct EventLineScanner {
    let plan: FieldPlan
    private let topLevel: KeyTable
    private let nestedKeys: KeyTable

    init(plan: FieldPlan) {
        self.plan = plan
        topLevel = KeyTable(plan.topLevel)
        nestedKeys = KeyTable(plan.nestedFields)
    }

    /// Fills `slots` for `line`; false when the line is not a well-formed object.
    func scan(_ line: UnsafeRawBufferPointer, into slots: UnsafeMutableBufferPointer<FieldSlot>) -> Bool {
        for index in slots.indices { slots[index] = .absent }
        guard let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        var cursor = Cursor(base: base, count: line.count)
        cursor.skipSpace()
        guard cursor.members({ key, cursor in
            if let nested = plan.nested, cursor.peek == UInt8(ascii: "{"), key.equals(nested) {
                return cursor.members { key, cursor in
                    let field = nestedKeys.index(of: key)
                    return cursor.value(into: field.map { slots.baseAddress! + plan.topLevel.count + $0 })
                }
            }
            let field = topLevel.index(of: key)
            return cursor.value(into: field.map { slots.baseAddress! + $0 })
        }) else { return false }
        cursor.skipSpace()
        return cursor.atEnd
    }
}
