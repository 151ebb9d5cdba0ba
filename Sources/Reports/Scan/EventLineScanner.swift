/// Finds a `FieldPlan`'s fields in a line by walking its structure without validating scalars (see `EventLine`).
///
/// Strings are crossed eight bytes at a time to the next quote or backslash. Containers nest at most 63 levels
/// below a member (the receiver allows 64 in all). A scanner that `stopsAtLastField` leaves the rest of a line
/// unread once it holds every top-level field of the plan and the nested object: only for lines already known
/// to be stored lines (`StoredLine`: valid JSON, no repeated key), whose rest can neither be broken nor hold a
/// second copy of a field.
struct EventLineScanner {
    let plan: FieldPlan
    let stopsAtLastField: Bool
    private let topLevel: KeyTable
    private let nestedKeys: KeyTable

    init(plan: FieldPlan, stopsAtLastField: Bool = false) {
        self.plan = plan
        self.stopsAtLastField = stopsAtLastField
        topLevel = KeyTable(plan.topLevel)
        nestedKeys = KeyTable(plan.nestedFields)
    }

    /// Fills `slots` for `line`; false when the line is not a well-formed object (as far as it was read).
    func scan(_ line: UnsafeRawBufferPointer, into slots: UnsafeMutableBufferPointer<FieldSlot>) -> Bool {
        for index in slots.indices { slots[index] = .absent }
        guard let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        var cursor = Cursor(base: base, count: line.count)
        // The members still to find before the rest may be left unread (never reaches 0 when not stopping).
        var missing = stopsAtLastField ? plan.topLevel.count + (plan.nested == nil ? 0 : 1) : -1
        cursor.skipSpace()
        var stopped = false
        guard cursor.members(until: { stopped = missing == 0; return stopped }, { key, cursor in
            if let nested = plan.nested, cursor.peek == UInt8(ascii: "{"), key.equals(nested) {
                missing -= 1
                return cursor.members { key, cursor in
                    let field = nestedKeys.index(of: key)
                    return cursor.value(into: field.map { slots.baseAddress! + plan.topLevel.count + $0 })
                }
            }
            guard let field = topLevel.index(of: key) else { return cursor.value(into: nil) }
            if !slots[field].isPresent { missing -= 1 }
            return cursor.value(into: slots.baseAddress! + field)
        }) else { return false }
        if stopped { return true }
        cursor.skipSpace()
        return cursor.atEnd
    }
}
