/// `events/date=D/_RETAINED.json`: the record that retention removed a date's raw events.
///
/// Kept when the date's hours go (Spark, Hive and DuckDB's globs skip a `_` file), so an event that lands on
/// the date afterwards is known to be late: the date's report, built from the whole day, is never rebuilt from
/// the few files that arrived since. Each removal appends one entry (late events removed again later add
/// theirs).
///
/// It is also the removal's intent log: the files to remove are written (`pending`, fsynced) before the first
/// is unlinked, and the removal is appended only once all are gone. Killed in between, whoever next holds the
/// seal lock (`retain` or `seal`) finishes exactly that removal, so a half-removed day is never taken for a
/// whole one with late events, and no seal merges what was being removed.
public struct RetentionRecord: Sendable, Equatable {
    /// One removal of raw events from the date.
    public struct Removal: Sendable, Equatable {
        public var removedAt: UTCInstant
        public var files: Int
        public var bytes: Int64
        /// Events the removed files held, from their seal manifests.
        public var events: Int

        public init(removedAt: UTCInstant, files: Int, bytes: Int64, events: Int) {
            self.removedAt = removedAt
            self.files = files
            self.bytes = bytes
            self.events = events
        }
    }

    /// A removal under way: what it will record, and the data files (paths under the root) it removes.
    public struct Pending: Sendable, Equatable {
        public var removal: Removal
        public var paths: [String]
    }

    public static let fileName = "_RETAINED.json"
    public static let formatVersion = 1

    public let date: UTCDate
    public private(set) var removals: [Removal]
    public private(set) var pending: Pending?

    public init(date: UTCDate, removals: [Removal] = [], pending: Pending? = nil) {
        self.date = date
        self.removals = removals
        self.pending = pending
    }

    /// The date's record; nil if its raw events were never removed. An unreadable record is an error: it
    /// would otherwise let a partial day pass for a whole one.
    public static func read(layout: ArchiveLayout, date: UTCDate) throws -> RetentionRecord? {
        let path = layout.retentionRecord(date)
        guard let file = try POSIXFile.openForReadingIfExists(path) else { return nil }
        guard let document = try? JSONScanner().document(try file.readToEnd()), document.kind(document.root) == .object,
            let list = document.member(of: document.root, named: "removals"), document.kind(list) == .array
        else { throw RetentionError.unreadableRecord(path: path) }
        func removal(_ entry: Int) throws -> Removal {
            guard document.kind(entry) == .object,
                let at = document.member(of: entry, named: "removed_at").flatMap(document.integer),
                let files = document.member(of: entry, named: "files").flatMap(document.integer),
                let bytes = document.member(of: entry, named: "bytes").flatMap(document.integer),
                let events = document.member(of: entry, named: "events").flatMap(document.integer)
            else { throw RetentionError.unreadableRecord(path: path) }
            return Removal(removedAt: UTCInstant(millisecondsSinceEpoch: at), files: Int(files), bytes: bytes, events: Int(events))
        }
        var record = RetentionRecord(date: date, removals: try document.elements(of: list).map(removal))
        if let pending = document.member(of: document.root, named: "pending"), document.kind(pending) != .null {
            guard document.kind(pending) == .object, let paths = document.member(of: pending, named: "paths"), document.kind(paths) == .array
            else { throw RetentionError.unreadableRecord(path: path) }
            let names = document.elements(of: paths).compactMap(document.string)
            guard names.count == document.elements(of: paths).count, names.allSatisfy(Self.isDataPath) else {
                throw RetentionError.unreadableRecord(path: path)
            }
            record.pending = Pending(removal: try removal(pending), paths: names)
        }
        return record
    }

    /// A pending path must name a finished data file under events/, with no `..`: the record is trusted to
    /// say what to remove.
    static func isDataPath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 5 && parts[0] == "events" && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
            && ArchiveFileName.isFinished(String(parts[4]))
    }

    /// This record with a removal under way.
    public func starting(_ removal: Removal, paths: [String]) -> RetentionRecord {
        var copy = self
        copy.pending = Pending(removal: removal, paths: paths)
        return copy
    }

    /// This record with its pending removal done.
    public func finished() -> RetentionRecord {
        var copy = self
        if let pending { copy.removals.append(pending.removal) }
        copy.pending = nil
        return copy
    }

    /// The record as JSON, as written to disk.
    public func render() -> [UInt8] {
        var json = JSONBuilder(capacity: 256 + removals.count * 96)
        json.beginObject()
        json.number("format_version", Self.formatVersion)
        json.string("date", date.description)
        json.string("note", "raw events of this date were removed by retention; late events that land here are not in its report's counts")
        json.beginArray("removals")
        for removal in removals {
            json.beginObject()
            Self.append(removal, to: &json)
            json.endObject()
        }
        json.endArray()
        if let pending {
            json.beginObject("pending")
            Self.append(pending.removal, to: &json)
            json.beginArray("paths")
            for path in pending.paths { json.string(nil, path) }
            json.endArray()
            json.endObject()
        }
        json.endObject()
        json.raw(nil, "\n")
        return json.bytes
    }
}

extension RetentionRecord {
    fileprivate static func append(_ removal: Removal, to json: inout JSONBuilder) {
        json.number("removed_at", removal.removedAt.millisecondsSinceEpoch)
        json.number("files", removal.files)
        json.number("bytes", removal.bytes)
        json.number("events", removal.events)
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
