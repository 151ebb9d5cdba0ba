import Foundation
import StreamsArchive
import Testing

@Suite("Streams event model")
struct EventModelTests {
    /// The Streams table from moengage-streams.md, restated here independently of the catalog under test.
    static let table: [(name: String, code: String, channel: String)] = [
        ("Email Sent", "MOE_EMAIL_SENT", "email"), ("Email Deferred", "MOE_EMAIL_DEFERRED", "email"),
        ("Email Delivered", "MOE_EMAIL_DELIVERED", "email"), ("Email Dropped", "MOE_EMAIL_DROP", "email"),
        ("Email Bounced", "MOE_EMAIL_HARD_BOUNCE", "email"), ("Email Soft Bounced", "MOE_EMAIL_SOFT_BOUNCE", "email"),
        ("Email Opened", "MOE_EMAIL_OPEN", "email"), ("Email Clicked", "MOE_EMAIL_CLICK", "email"),
        ("Email Unsubscribed", "MOE_EMAIL_UNSUBSCRIBE", "email"), ("Email Spam Complained", "MOE_EMAIL_SPAM", "email"),
        ("SMS Sent", "SMS_SENT", "sms"), ("SMS Delivered", "SMS_DELIVERED", "sms"),
        ("Notification Received Android", "NOTIFICATION_RECEIVED_MOE", "push"),
        ("Notification Clicked Android", "NOTIFICATION_CLICKED_MOE", "push"),
        ("Notification Swiped Android", "NOTIFICATION_CLEARED_MOE", "push"), ("Notification Sent iOS", "n_i_s", "push"),
        ("Notification Clicked iOS", "NOTIFICATION_CLICKED_IOS_MOE", "push"),
        ("Notification Received Web", "NOTIFICATION_RECEIVED_WEB_MOE", "push"),
        ("Notification Clicked Web", "NOTIFICATION_CLICKED_WEB_MOE", "push"), ("Connector Sent", "MOE_CONNECTOR_SENT", "connector"),
        ("Card Sent", "MOE_CARD_SENT", "cards"), ("Card Delivered", "MOE_CARD_DELIVERED", "cards"),
        ("Card Viewed", "MOE_CARD_VIEWED", "cards"), ("Card Clicked", "MOE_CARD_CLICKED", "cards"),
        ("Mobile In-App Shown", "MOE_IN_APP_SHOWN", "inapp"), ("Mobile In-App Clicked", "MOE_IN_APP_CLICKED", "inapp"),
        ("Mobile In-App Closed", "MOE_IN_APP_DISMISSED", "inapp"), ("On-site Message Shown", "MOE_ONSITE_MESSAGE_SHOWN", "onsite"),
        ("On-site Message Clicked", "MOE_ONSITE_MESSAGE_CLICKED", "onsite"),
        ("On-site Message Closed", "MOE_ONSITE_MESSAGE_DISMISSED", "onsite"), ("User Entered Flow", "USER_ENTERED_FLOW", "flows"),
        ("User Exited Flow", "USER_EXITED_FLOW", "flows"), ("User Added to Control Group", "MOE_CAMPAIGN_CONTROL_GROUP", "other"),
    ]

    @Test("the catalog holds all 33 Streams event codes with their names and channels")
    func catalogMatchesStreamsTable() {
        #expect(EventCatalog.entries.count == 33)
        #expect(Set(EventCatalog.entries.map(\.code)).count == 33)
        for row in Self.table {
            let entry = EventCatalog.entry(for: row.code)
            #expect(entry?.name == row.name)
            #expect((entry?.channel ?? .other).rawValue == row.channel, "\(row.code)")
        }
    }

    @Test(
        "campaign_channel values resolve to the fixed partition names",
        arguments: [
            ("Email", "email"), ("SMS", "sms"), ("Push", "push"), ("Connector", "connector"), ("Cards", "cards"),
            ("Mobile In-Apps", "inapp"), ("On-site Messaging", "onsite"), ("Flows", "flows"), ("push", "push"),
        ]
    )
    func campaignChannelResolves(label: String, partition: String) {
        #expect(Channel.resolve(eventType: "CAMPAIGN_EVENT", eventCode: "X", campaignChannel: label).rawValue == partition)
    }

    @Test("a missing or unknown campaign_channel falls back to the event code's channel, then to other")
    func channelFallsBackToCatalogThenOther() {
        #expect(Channel.resolve(eventType: "CAMPAIGN_EVENT", eventCode: "SMS_SENT", campaignChannel: nil) == .sms)
        #expect(Channel.resolve(eventType: "CAMPAIGN_EVENT", eventCode: "n_i_s", campaignChannel: "../../etc") == .push)
        #expect(Channel.resolve(eventType: "CAMPAIGN_EVENT", eventCode: "MOE_CAMPAIGN_CONTROL_GROUP", campaignChannel: nil) == .other)
        #expect(Channel.resolve(eventType: "CAMPAIGN_EVENT", eventCode: "MOE_CAMPAIGN_CONTROL_GROUP", campaignChannel: "SMS") == .sms)
        #expect(Channel.resolve(eventType: nil, eventCode: "SOMETHING_NEW", campaignChannel: "WhatsApp") == .other)
    }

    @Test("user actions go to user_action whatever their code")
    func userActionsResolveToUserAction() {
        #expect(Channel.resolve(eventType: "USER_ACTION_EVENT", eventCode: "MOE_EMAIL_SENT", campaignChannel: "Email") == .userAction)
    }

    @Test("a stored line keeps every key and value sent, nested and unicode included, and adds the three archive fields")
    func storedLineKeepsEverythingAndAddsThreeFields() throws {
        let event = Bodies.event(extra: ["unknown_key": ["a": [1, 2.5, NSNull(), true]], "ünïcode": "日本 \"q\" \\ ☕"])
        let batch = try Bodies.parse(Bodies.body([event], appName: "Shop ✓", requestID: "r-9"), receivedAt: UTCInstant(millisecondsSinceEpoch: 1_773_500_000_123))
        let accepted = try #require(batch.accepted.first)
        let stored = try Bodies.object(accepted.line)
        let expected = NSMutableDictionary(dictionary: event)
        expected["app_name"] = "Shop ✓"
        expected["moe_request_id"] = "r-9"
        expected["received_at"] = 1_773_500_000_123
        #expect(stored == expected)
        #expect(!accepted.line.contains(UInt8(ascii: "\n")), "one line per event even from a pretty-printed body")
    }

    @Test("numbers and strings are stored exactly as written, not re-encoded")
    func valuesAreNotReencoded() throws {
        let body = #"{"app_name":"A","moe_request_id":"r","events":[{"event_uuid":"u1","event_time":1773480000,"event_code":"SMS_SENT","price":1.50,"big":12345678901234567890123,"s":"caf\u00e9"}]}"#
        let batch = try Bodies.parse(Array(body.utf8))
        let line = String(decoding: try #require(batch.accepted.first).line, as: UTF8.self)
        #expect(line.contains(#""price":1.50,"big":12345678901234567890123,"s":"caf\u00e9""#))
    }

    @Test("an event goes to the partition of its event_time's UTC date and hour and its channel")
    func eventIsPlacedByEventTime() throws {
        let batch = try Bodies.parse(Bodies.body([Bodies.event(time: 1_773_446_399, channel: "SMS")]))
        #expect(batch.accepted.first?.partition.relativePath == "events/date=2026-03-13/channel=sms/hour=23")
    }

    @Test(
        "each invalid event is rejected with its reason while the rest of the batch is accepted",
        arguments: [
            ("null event_uuid", #"{"event_uuid":null}"#, "event_uuid must be a string, found null"),
            ("empty event_uuid", #"{"event_uuid":""}"#, "event_uuid is empty"),
            ("string event_time", #"{"event_time":"1773480000"}"#, "event_time must be a number, found a string"),
            ("fractional event_time", #"{"event_time":1773480000.5}"#, "event_time must be an integer of epoch seconds, found 1773480000.5"),
            ("milliseconds", #"{"event_time":1773480000000}"#, "event_time 1773480000000 looks like epoch milliseconds; Streams sends epoch seconds"),
            ("too old", #"{"event_time":12}"#, "event_time 12 is implausible: outside 946684800...1773586400 (2000-01-01 to a day after arrival)"),
            ("reserved key", #"{"received_at":1}"#, "event carries \"received_at\", which the archive adds itself from the request"),
            ("attributes not an object", #"{"event_attributes":[1,2]}"#, "event_attributes must be an object, found an array"),
            ("uid not a string", #"{"uid":42}"#, "uid must be a string, found a number"),
            ("null event_code", #"{"event_code":null}"#, "event_code must be a string, found null"),
        ]
    )
    func invalidEventIsRejectedWithReason(label: String, overrides: String, reason: String) throws {
        let good = Bodies.event(uuid: "good-1")
        let bad = Bodies.event(extra: try JSONSerialization.jsonObject(with: Data(overrides.utf8)) as! [String: Any])
        let batch = try Bodies.parse(Bodies.body([good, bad]))
        #expect(batch.accepted.map(\.uuid.description) == ["good-1"], "\(label)")
        #expect(batch.rejected.count == 1)
        #expect(batch.rejected.first?.index == 1)
        #expect(batch.rejected.first?.reason.description == reason, "\(label)")
    }

    @Test("an event without event_uuid or event_time at all is rejected as missing")
    func absentFieldsAreMissing() throws {
        var noUUID = Bodies.event()
        noUUID.removeValue(forKey: "event_uuid")
        var noTime = Bodies.event()
        noTime.removeValue(forKey: "event_time")
        let batch = try Bodies.parse(Bodies.body([noUUID, noTime]))
        #expect(batch.rejected.map(\.reason) == [.missingField("event_uuid"), .missingField("event_time")])
    }

    @Test("an element of events that is not an object is rejected with its kind")
    func nonObjectEventIsRejected() throws {
        let batch = try Bodies.parse(Bodies.body(["just a string", 7, Bodies.event()]))
        #expect(batch.rejected.map(\.reason) == [.notAnObject(.string), .notAnObject(.number)])
        #expect(batch.accepted.count == 1)
    }

    @Test("an event with a duplicated key is rejected rather than stored ambiguously")
    func duplicateKeyIsRejected() throws {
        let body = #"{"events":[{"event_uuid":"a","event_uuid":"b","event_time":1773480000,"event_code":"X"}]}"#
        let batch = try Bodies.parse(Array(body.utf8))
        #expect(batch.rejected.first?.reason == .duplicateKey("event_uuid"))
    }

    @Test(
        "a body that is not a Streams envelope is refused whole with a message saying what is wrong",
        arguments: [
            ("[1]", "body is an array; a Streams request is an object with an \"events\" array"),
            ("{\"app_name\":\"a\"}", "body has no \"events\" array; a Streams request is {\"app_name\", \"moe_request_id\", \"events\": [...]}"),
            ("{\"events\":{}}", "\"events\" is an object; it must be an array of event objects"),
            ("{\"events\":[],\"app_name\":5}", "\"app_name\" must be a string, found a number"),
            ("{\"events\":[", "body is not valid JSON: invalid JSON at byte 11: unexpected end of input, expected a value"),
        ]
    )
    func invalidEnvelopeIsRefused(body: String, message: String) {
        let error = #expect(throws: EnvelopeError.self) { try Bodies.parse(Array(body.utf8)) }
        #expect(error?.description == message)
    }

    @Test("an envelope without app_name or moe_request_id is accepted and stores null for them")
    func missingEnvelopeFieldsStoreNull() throws {
        let body = #"{"events":[{"event_uuid":"u","event_time":1773480000,"event_code":"SMS_SENT"}]}"#
        let line = try Bodies.object(try #require(try Bodies.parse(Array(body.utf8)).accepted.first).line)
        #expect(line["app_name"] is NSNull && line["moe_request_id"] is NSNull)
    }
}
