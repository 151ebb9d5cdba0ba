import StreamsArchive

/// The `damage` and `inputs` members that report.json and a timelines day's `_INDEX.json` both carry, written
/// one way so that `RecordedInputs` reads both alike.
enum DayInputsJSON {
    /// `"damage": [{"file", "offset", "reason"}]`, paths relative to the root.
    static func appendDamage(_ damage: [FileDamage], root: String, to json: inout JSONBuilder) {
        json.beginArray("damage")
        for item in damage {
            json.beginObject()
            json.string("file", ReportJSON.relative(item.path, to: root))
            json.number("offset", item.offset)
            json.string("reason", item.reason)
            json.endObject()
        }
        json.endArray()
    }

    /// `"inputs": {"included_open_files", "files": [{"file", "bytes", "inode", "changed_ns"}]}`, sorted by path.
    static func appendInputs(_ files: [ScannedFile], includedOpenFiles: Bool, root: String, to json: inout JSONBuilder) {
        json.object("inputs") { inputs in
            inputs.raw("included_open_files", includedOpenFiles ? "true" : "false")
            inputs.beginArray("files")
            for file in files.sorted(by: { $0.path < $1.path }) {
                inputs.beginObject()
                inputs.string("file", ReportJSON.relative(file.path, to: root))
                inputs.number("bytes", file.bytes)
                inputs.number("inode", Int64(bitPattern: file.stamp.inode))
                inputs.number("changed_ns", file.stamp.changedNanoseconds)
                inputs.endObject()
            }
            inputs.endArray()
        }
    }
}
