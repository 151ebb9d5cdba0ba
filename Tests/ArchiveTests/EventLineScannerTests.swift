import Foundation
import Reports
import StreamsArchive
import StreamsTraffic
import Testing

@Suite("structural field scan of stored lines")
struct EventLineScannerTests {
    static let plan = FieldPlan(
        topLevel: ["event_type", "event_code", "event_name", "event_time", "uid"], nested: "event_attributes",
        nestedFields: ["campaign_id", "campaign_name", "variation_id", "locale_name"]
    )
    static let names = ["event_uuid", "event_type", "event_code", "event_name", "event_time", "uid"]
    static let nestedNames = ["campaign_id", "campaign_name", "variation_id", "locale_name"]

    /// The plan's fields as text, or nil if the line is refused; `stopping`: by a scanner that stops at the last field.
    static func fields(_ line: [UInt8], stopping: Bool = false) -> [ByteString?]? {
        line.withUnsafeBytes { raw in
            FieldScanner(plan: plan, stopsAtLastField: stopping).scan(raw) { event in (0..<names.count + nestedNames.count).map { event.text($0) } }
        }
    }

    /// The same fields read through the validating scanner's document.
    static func validated(_ line: [UInt8]) throws -> [ByteString?] {
        let document = try JSONScanner().document(line)
        let attributes = document.member(of: document.root, named: "event_attributes").flatMap { document.kind($0) == .object ? $0 : nil }
        return names.map { document.text(of: document.root, $0) } + nestedNames.map { name in attributes.flatMap { document.text(of: $0, name) } }
    }

    @Test("on every stored line of a generated day, the fields equal what the validating scanner finds, read whole or up to the last field", arguments: [false, true])
    func agreesWithTheValidatingScanner(stopping: Bool) throws {
        let generator = TrafficGenerator(options: .init(events: 3000, date: UTCDate("2026-03-14")!, seed: 5))
        var lines = 0
        try generator.forEachBody { body in
            for event in try EnvelopeParser().parse(body, receivedAt: UTCInstant(millisecondsSinceEpoch: 1_773_500_000_000)).accepted {
                #expect(Self.fields(event.line, stopping: stopping) == (try Self.validated(event.line)))
                lines += 1
            }
        }
        #expect(lines >= 3000)
    }

    @Test("escaped quotes, trailing backslashes, nested arrays and whitespace are crossed correctly")
    func trickyStrings() throws {
        let line = Array(#" { "event_uuid" : "a\"b\\" , "x" : ["}", {"y": "\\\""}, [[]]], "event_attributes": {"campaign_name": "C\\", "campaign_id": 12.5e3}, "uid": null, "event_time": -42 } "#.utf8)
        let fields = try #require(Self.fields(line))
        #expect(fields[0] == ByteString(#"a"b\"#))
        #expect(fields[Self.plan.slot("campaign_name")] == ByteString(#"C\"#))
        #expect(fields[Self.plan.slot("campaign_id")] == ByteString("12.5e3"))
        #expect(fields[Self.plan.slot("uid")] == nil)
        #expect(fields == (try Self.validated(line)))
    }

    @Test("every truncated prefix of a stored line is refused")
    func truncatedLinesAreRefused() throws {
        let line = Array(#"{"event_uuid":"u1","event_time":1700000000,"event_attributes":{"campaign_id":"c\"1","n":[1,{"a":"}"}]},"uid":"x"}"#.utf8)
        #expect(Self.fields(line) != nil)
        for length in 0..<line.count { #expect(Self.fields(Array(line[..<length])) == nil, "prefix of \(length) bytes") }
    }

    @Test("text that is not an object, trailing bytes, unbalanced brackets and bad separators are refused")
    func brokenStructureIsRefused() throws {
        let broken = [
            "this line is not JSON", "[1,2]", #""a""#, #"{"a":1}x"#, #"{"a":1}{"b":2}"#, #"{"a":[1,2}"#, #"{"a":{"b":1]}"#,
            #"{"a" 1}"#, #"{"a":1 "b":2}"#, #"{a:1}"#, #"{"a":}"#, #"{"a":1,}"#, #"{"a":"x}"#, #"{"a":@}"#, "",
        ]
        for text in broken { #expect(Self.fields(Array(text.utf8)) == nil, "\(text)") }
    }

    @Test("a scanner that stops at the last field leaves the rest of the line unread; one that reads it whole refuses the broken rest")
    func stopsAtTheLastField() throws {
        let fields = #""event_uuid":"u1","event_type":"CAMPAIGN_EVENT","event_code":"c","event_name":"n","event_time":1,"uid":"x""#
        let nested = #""event_attributes":{"campaign_id":"k","locale_name":"en"}"#
        for line in ["{\(fields),\(nested),\"rest\":[unbalanced}", "{\(nested),\(fields),\"rest\":\"unclosed}"] {
            let read = try #require(Self.fields(Array(line.utf8), stopping: true), "\(line)")
            #expect(read[0] == ByteString("u1") && read[Self.plan.slot("uid")] == ByteString("x") && read[Self.plan.slot("locale_name")] == ByteString("en"))
            #expect(Self.fields(Array(line.utf8)) == nil)
        }
        // A field the plan needs that comes after the broken part is never reached: the line is refused.
        #expect(Self.fields(Array("{\(nested),\"rest\":[unbalanced},\(fields)}".utf8), stopping: true) == nil)
    }

    @Test("keys are told apart by every byte: names that share their first and last eight bytes, or differ in one byte, are not confused")
    func keysDifferingInOneByte() throws {
        let plan = FieldPlan(topLevel: ["first8__middle_1__last8_", "event_tim", "event_time"])
        let line = Array(#"{"first8__middle_2__last8_":1,"first8__middle_1__last8_":2,"event_tima":3,"event_time":4,"event_uuid":"u"}"#.utf8)
        let fields = line.withUnsafeBytes { raw in FieldScanner(plan: plan).scan(raw) { event in (0..<4).map { event.text($0) } } }
        #expect(fields == [ByteString("u"), ByteString("2"), nil, ByteString("4")])
    }
}
