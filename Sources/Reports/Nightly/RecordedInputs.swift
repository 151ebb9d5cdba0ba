import StreamsArchive

/// The input files (path under ROOT, and `FileStamp`: bytes, inode, ctime) a report or a timelines day was
/// built from, so the nightly run can tell whether a date's partitions changed since: a late event adds a
/// file, a seal replaces them, and a file rewritten in place — even to the same size, even with its mtime
/// put back — has a new ctime. A record without stamps (an older version's) never matches: rebuilt once.
enum RecordedInputs {
    /// The `inputs` recorded in a report.json or _INDEX.json (or in its member `within`, as report.json's
    /// `late_events`); nil if there is none (never built, or unreadable).
    static func recorded(in path: String, within member: String? = nil) throws -> [String: FileStamp]? {
        guard let file = try POSIXFile.openForReadingIfExists(path), let document = try? JSONScanner().document(try file.readToEnd()),
            document.kind(document.root) == .object
        else { return nil }
        guard let object = member.map({ document.member(of: document.root, named: $0) }) ?? document.root, document.kind(object) == .object,
            let inputs = document.member(of: object, named: "inputs"),
            document.kind(inputs) == .object, let files = document.member(of: inputs, named: "files"), document.kind(files) == .array
        else { return nil }
        var result: [String: FileStamp] = [:]
        for element in document.elements(of: files) {
            func integer(_ name: String) -> Int64? { document.member(of: element, named: name).flatMap(document.integer) }
            guard document.kind(element) == .object, let name = document.member(of: element, named: "file").flatMap(document.string),
                let bytes = integer("bytes"), let inode = integer("inode"), let changed = integer("changed_ns")
            else { return nil }
            result[name] = FileStamp(bytes: bytes, inode: UInt64(bitPattern: inode), changedNanoseconds: changed)
        }
        return result
    }

    /// The finished files of a date's partitions now.
    static func current(layout: ArchiveLayout, date: UTCDate) throws -> [String: FileStamp] {
        Dictionary(
            try DayScan.files(layout: layout, date: date, includeOpen: false).map { (ReportJSON.relative($0.path, to: layout.root), $0.stamp) },
            uniquingKeysWith: { first, _ in first }
        )
    }
}
