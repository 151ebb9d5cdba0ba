/// Scans lines for a `FieldPlan`'s fields, reusing one set of slots: one per worker, as it is not thread-safe.
package final class FieldScanner {
    package let plan: FieldPlan
    private let scanner: EventLineScanner
    private let slots: UnsafeMutableBufferPointer<FieldSlot>

    /// `stopsAtLastField`: leave the rest of a line unread once the plan's fields are found; only for lines known
    /// to be stored lines (see `EventLineScanner`).
    package init(plan: FieldPlan, stopsAtLastField: Bool = false) {
        self.plan = plan
        scanner = EventLineScanner(plan: plan, stopsAtLastField: stopsAtLastField)
        slots = .allocate(capacity: plan.slotCount)
    }

    deinit { slots.deallocate() }

    /// Calls `body` with the line's fields; nil (without calling it) when the line is not a well-formed object.
    package func scan<T>(_ line: UnsafeRawBufferPointer, _ body: (EventLine) throws -> T) rethrows -> T? {
        guard scanner.scan(line, into: slots) else { return nil }
        return try body(EventLine(bytes: line, slots: slots))
    }
}
