/// Scans lines for a `FieldPlan`'s fields, reusing one set of slots: one per worker, as it is not thread-safe.
package final class FieldScanner {
    package let plan: FieldPlan
    private let scanner: EventLineScanner
    private let slots: UnsafeMutableBufferPointer<FieldSlot>

    package init(plan: FieldPlan) {
        self.plan = plan
        scanner = EventLineScanner(plan: plan)
        slots = .allocate(capacity: plan.slotCount)
    }

    deinit { slots.deallocate() }

    /// Calls `body` with the line's fields; nil (without calling it) when the line is not a well-formed object.
    package func scan<T>(_ line: UnsafeRawBufferPointer, _ body: (EventLine) throws -> T) rethrows -> T? {
        guard scanner.scan(line, into: slots) else { return nil }
        return try body(EventLine(bytes: line, slots: slots))
    }
}
