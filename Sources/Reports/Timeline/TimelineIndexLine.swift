import StreamsArchive

/// One line of a bucket's index: a uid, where the gzip member holding its events starts and how long it is,
/// and how many events it has. `{"uid":"…","offset":0,"length":5120,"events":12}`, sorted by uid bytes.
struct TimelineIndexLine: Equatable {
    let uid: ByteString
    let offset: Int64
    let length: Int64
    let events: Int

    static let plan = FieldPlan(topLevel: ["uid", "offset", "length", "events"])

    func append(to output: inout [UInt8]) {
        output.append(contentsOf: Self.prefix(for: uid))
        output.append(contentsOf: "\(offset),\"length\":\(length),\"events\":\(events)}\n".utf8)
    }

    /// The bytes each index line starts with for `uid`: what a lookup searches for.
    static func prefix(for uid: ByteString) -> [UInt8] {
        var bytes = Array("{\"uid\":".utf8)
        JSONEscapes.appendQuoted(uid.description, to: &bytes)
        bytes.append(contentsOf: ",\"offset\":".utf8)
        return bytes
    }
}
