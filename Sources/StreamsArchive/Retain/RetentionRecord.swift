/// `events/date=D/_RETAINED.json`: the record that retention removed a date's raw events.
///
/// Written durably before anything is removed, and kept when the date's hours go (Spark, Hive and DuckDB's
/// globs skip a `_` file), so an event that lands on the date afterwards is known to be late: the date's
/// report, built from the whole day, is never rebuilt from the few files that arrived since. Each removal
/// appends one entry (late events removed again later add theirs). Killed mid-removal, the record is already
/// there and the next `retain` finishes the job.
public struct RetentionRecord: Sendable, Equatable {
    public struct Removal: Sendable, Equatable {
        public var removedAtMillis: Int64
        public var files: Int
        public var bytes: Int64
        /// Events the removed files held, from their seal manifests.
        public var events: Int

        public init(removedAtMillis: Int64, files: Int, bytes: Int64, events: Int) {
            self.removedAtMillis = removedAtMillis
            self.files = files
            self.bytes = bytes
            self.events = events
        }
    }

    public static let fileName = "_RETAINED.json"
    public static let formatVersion = 1

    public let date: UTCDate
    public private(set) var removals: [Removal]

    public init(date: UTCDate, removals: [Removal] = []) {
        self.date = date
        self.removals = removals
    }

    public static func path(layout: ArchiveLayout, date: UTCDate) -> String {
        "\(layout.eventsDirectory)/date=\(date)/\(fileName)"
    }

    /// The date's record; nil if its raw events were never removed. An unreadable record is an error: it
    /// would otherwise let a partial day pass for a whole one.
    public static func read(layout: ArchiveLayout, date: UTCDate) throws -> RetentionRecord? {
        let path = path(layout: layout, date: date)
        guard let file = try POSIXFile.openForReadingIfExists(path) else { return nil }
        guard let document = try? JSONScanner().document(try file.readToEnd()), document.kind(document.root) == .object,
            let list = document.member(of: document.root, named: "removals"), document.kind(list) == .array
        else { throw RetentionError.unreadableRecord(path: path) }
        var record = RetentionRecord(date: date)
        for entry in document.elements(of: list) {
            guard document.kind(entry) == .object,
                let at = document.member(of: entry, named: "removed_at").flatMap(document.integer),
                let files = document.member(of: entry, named: "files").flatMap(document.integer),
                let bytes = document.member(of: entry, named: "bytes").flatMap(document.integer),
                let events = document.member(of: entry, named: "events").flatMap(document.integer)
            else { throw RetentionError.unreadableRecord(path: path) }
            record.removals.append(Removal(removedAtMillis: at, files: Int(files), bytes: bytes, events: Int(events)))
        }
        return record
    }

    /// This record with one more removal.
    public func adding(_ removal: Removal) -> RetentionRecord {
        var copy = self
        copy.removals.append(removal)
        return copy
    }

    public func render() -> [UInt8] {
        var json = JSONBuilder(capacity: 256 + removals.count * 96)
        json.beginObject()
        json.number("format_version", Self.formatVersion)
        json.string("date", date.description)
        json.string("note", "raw events of this date were removed by retention; late events that land here are not in its report's counts")
        json.beginArray("removals")
        for removal in removals {
            json.beginObject()
            json.number("removed_at", removal.removedAtMillis)
            json.number("files", removal.files)
            json.number("bytes", removal.bytes)
            json.number("events", removal.events)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.raw(nil, "\n")
        return json.bytes
    }
}

/// Why retention could not go on.
public enum RetentionError: Error, CustomStringConvertible {
    case unreadableRecord(path: String)

    public var description: String {
        switch self {
        case .unreadableRecord(let path):
            "\(path) is not a readable retention record; restore it (or, if this date's raw events were never removed, delete it) and run again"
        }
    }
}
