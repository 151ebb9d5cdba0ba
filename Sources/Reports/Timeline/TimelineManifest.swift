import StreamsArchive

/// `_INDEX.json` of a timelines day: how it is bucketed (so a reader can find a uid without this code),
/// what it holds, what it was built from, and whether every input was read to the end.
public enum TimelineManifest {
    public static let fileName = "_INDEX.json"
    public static let formatVersion = 1

    static func render(_ summary: TimelineBuilder.Summary, root: String) -> [UInt8] {
        var json = JSONBuilder(capacity: 4096 + summary.files.count * 120)
        json.beginObject()
        json.number("format_version", formatVersion)
        json.string("date", summary.date.description)
        json.raw("complete", summary.damage.isEmpty ? "true" : "false")
        json.object("buckets") { buckets in
            buckets.number("count", summary.buckets)
            buckets.string("hash", "fnv1a64 of the uid's UTF-8 bytes, modulo count")
            buckets.string("data", "part-NNNN.jsonl.gz: whole users per gzip member, sorted by uid, event_time, event_uuid")
            buckets.string("index", "part-NNNN.index.jsonl: {uid, offset, length, events} of each uid's member")
        }
        json.number("events", summary.events)
        json.number("users", summary.users)
        json.number("duplicates_dropped", summary.duplicates)
        json.number("events_without_uid", summary.withoutUID)
        DayInputsJSON.appendDamage(summary.damage, root: root, to: &json)
        DayInputsJSON.appendInputs(summary.files, includedOpenFiles: false, root: root, to: &json)
        json.endObject()
        json.raw(nil, "\n")
        return json.bytes
    }

    /// The bucket count a published day was built with; nil if the day has no readable index.
    static func bucketCount(in directory: String) throws -> Int? {
        let path = "\(directory)/\(fileName)"
        guard let file = try POSIXFile.openForReadingIfExists(path) else { return nil }
        let document = try JSONScanner().document(try file.readToEnd())
        guard let buckets = document.member(of: document.root, named: "buckets"), document.kind(buckets) == .object,
            let count = document.member(of: buckets, named: "count").flatMap(document.integer), count > 0, count & (count - 1) == 0
        else { throw TimelineError.corruptIndex(path: path) }
        return Int(count)
    }

    /// Whether a published day was built from every input read to the end (`"complete": true`); false for a
    /// day built around damage, and for a day with no readable index.
    static func isComplete(in directory: String) throws -> Bool {
        guard let file = try POSIXFile.openForReadingIfExists("\(directory)/\(fileName)"),
            let document = try? JSONScanner().document(try file.readToEnd()), document.kind(document.root) == .object
        else { return false }
        return document.member(of: document.root, named: "complete").map { document.raw($0).elementsEqual("true".utf8) } ?? false
    }
}
