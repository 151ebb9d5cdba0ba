/// Builds compact JSON text member by member, in the order written.
package struct JSONBuilder: Sendable {
    package private(set) var bytes: [UInt8] = []
    /// One entry per open container: whether the next member needs a comma before it.
    private var needsComma: [Bool] = []

    package init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Opens an object, as a member named `key` when inside an object, or as a value otherwise.
    package mutating func beginObject(_ key: String? = nil) {
        prefix(key)
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    package mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    package mutating func beginArray(_ key: String? = nil) {
        prefix(key)
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    package mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    package mutating func string(_ key: String?, _ value: String) {
        prefix(key)
        JSONEscapes.appendQuoted(value, to: &bytes)
    }

    /// A value that is already JSON text (a number, a literal, or bytes from a validated document).
    package mutating func raw(_ key: String?, _ json: some Sequence<UInt8>) {
        prefix(key)
        bytes.append(contentsOf: json)
    }

    package mutating func raw(_ key: String?, _ json: String) {
        raw(key, json.utf8)
    }

    package mutating func number(_ key: String?, _ value: some BinaryInteger) {
        raw(key, String(value).utf8)
    }

    /// An object member built by `body`.
    package mutating func object(_ key: String, _ body: (inout JSONBuilder) -> Void) {
        beginObject(key)
        body(&self)
        endObject()
    }

    private mutating func prefix(_ key: String?) {
        if let last = needsComma.last {
            if last { bytes.append(UInt8(ascii: ",")) }
            needsComma[needsComma.count - 1] = true
        }
        if let key {
            JSONEscapes.appendQuoted(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
        }
    }
}
