import Foundation
import StreamsArchive

/// Builds Streams request bodies with Foundation, independently of the code under test.
enum Bodies {
    static func event(
        uuid: String = UUID().uuidString, time: Any = 1_773_480_000, code: String = "MOE_EMAIL_SENT",
        type: String = "CAMPAIGN_EVENT", channel: String? = "Email", extra: [String: Any] = [:]
    ) -> [String: Any] {
        var attributes: [String: Any] = ["campaign_id": "c1", "campaign_name": "Spring, \"big\" sale ☀", "campaign_type": "General"]
        if let channel { attributes["campaign_channel"] = channel }
        var event: [String: Any] = [
            "event_name": "Email Sent", "event_code": code, "event_uuid": uuid, "event_time": time, "event_type": type,
            "event_source": "MOENGAGE", "uid": "user-1", "event_attributes": attributes,
            "user_attributes": ["moengage_user_id": "m1", "nested": ["deep": [1, 2, ["k": "ü"]]]],
            "device_attributes": ["moengage_device_id": "d1"],
        ]
        for (key, value) in extra { event[key] = value }
        return event
    }

    static func body(_ events: [Any], appName: String = "Acme", requestID: String = "req-1") -> [UInt8] {
        let envelope: [String: Any] = ["app_name": appName, "source": "MOENGAGE", "moe_request_id": requestID, "events": events]
        return Array(try! JSONSerialization.data(withJSONObject: envelope, options: [.prettyPrinted, .withoutEscapingSlashes]))
    }

    static func parse(_ body: [UInt8], receivedAt: UTCInstant = UTCInstant(millisecondsSinceEpoch: 1_773_500_000_000)) throws(EnvelopeError) -> ParsedBatch {
        try EnvelopeParser().parse(body, receivedAt: receivedAt)
    }

    static func object(_ line: [UInt8]) throws -> NSDictionary {
        try JSONSerialization.jsonObject(with: Data(line)) as! NSDictionary
    }
}
