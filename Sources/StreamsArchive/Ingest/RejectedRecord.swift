import Foundation

/// Lines for `rejected/date=YYYY-MM-DD/`: what could not be archived, with the reason, so nothing MoEngage
/// sent is lost. Every line is valid JSON.
package enum RejectedRecord {
    /// One invalid event of an otherwise valid batch, kept byte for byte under `event` — or, when its keys
    /// repeat or it holds a number beyond a Double's range (`1e400`), as a string under `event_text`, because
    /// many JSON readers (Foundation, DuckDB) refuse such an object and every line here must open anywhere.
    package static func event(_ rejection: EventRejection, of batch: ParsedBatch) -> [UInt8] {
        var json = JSONBuilder(capacity: rejection.raw.count + 256)
        json.beginObject()
        json.number("rejected_at", batch.receivedAt.millisecondsSinceEpoch)
        json.string("reason", rejection.reason.description)
        json.raw("app_name", batch.appName)
        json.raw("moe_request_id", batch.requestID)
        json.number("event_index", rejection.index)
        let repeatsAKey = if case .duplicateKey = rejection.reason { true } else { false }
        if repeatsAKey || holdsNumberBeyondDouble(rejection.raw) {
            json.string("event_text", String(decoding: rejection.raw, as: UTF8.self))
        } else {
            json.raw("event", rejection.raw)
        }
        json.endObject()
        return json.bytes
    }

    /// Whether a JSON value holds a number that reads as infinity as a Double (valid JSON; Foundation refuses it).
    private static func holdsNumberBeyondDouble(_ raw: ArraySlice<UInt8>) -> Bool {
        guard let document = try? JSONScanner().document(Array(raw)) else { return false }
        return document.nodes.indices.contains { node in
            document.kind(node) == .number && !(Double(String(decoding: document.raw(node), as: UTF8.self))?.isFinite ?? false)
        }
    }

    /// A whole body that is not a Streams envelope. UTF-8 text is kept as a string, anything else as base64;
    /// beyond `limit` bytes only the first `limit` are kept and `body_bytes` says how many there were.
    package static func body(_ body: UnsafeRawBufferPointer, reason: String, receivedAt: UTCInstant, limit: Int) -> [UInt8] {
        let kept = UnsafeRawBufferPointer(rebasing: body.prefix(limit))
        var json = JSONBuilder(capacity: kept.count + 256)
        json.beginObject()
        json.number("rejected_at", receivedAt.millisecondsSinceEpoch)
        json.string("reason", reason)
        json.number("body_bytes", body.count)
        json.raw("body_truncated", body.count > limit ? "true" : "false")
        if let text = String(validating: kept, as: UTF8.self) {
            json.string("body", text)
        } else {
            json.string("body_base64", Data(kept).base64EncodedString())
        }
        json.endObject()
        return json.bytes
    }
}
