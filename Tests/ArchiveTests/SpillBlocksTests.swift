import Foundation
import Reports
import StreamsArchive
import Testing

/// Timelines' phase-one spill files: records in LZ4 blocks, written and read back within one build.
@Suite("timelines' spill blocks")
struct SpillBlocksTests {
    typealias Record = (time: Int64, key: [UInt8], uuid: [UInt8], line: [UInt8])

    /// Writes `flushes` as one block each to `path`, as `TimelineSpill` does.
    static func write(_ flushes: [[Record]], to path: String) throws {
        var file: [UInt8] = []
        var block: [UInt8] = []
        for records in flushes {
            var raw: [UInt8] = []
            for record in records {
                record.key.withUnsafeBytes { key in
                    record.uuid.withUnsafeBytes { uuid in
                        record.line.withUnsafeBytes { SpillRecord.encode(time: record.time, seq: 0, key: key, uuid: uuid, line: $0, into: &raw) }
                    }
                }
            }
            let count = raw.withUnsafeBytes { SpillBlocks.encode($0, into: &block) }
            file += block[..<count]
        }
        try Data(file).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> [Record] {
        var reader = try SpillBlocks.Reader(path: path, bufferBytes: 4096)
        var records: [Record] = []
        try reader.forEachRecord { time, key, uuid, line in records.append((time, Array(key), Array(uuid), Array(line))) }
        return records
    }

    static func records(_ count: Int, from first: Int) -> [Record] {
        (first..<first + count).map { index in
            (Int64(1_773_480_000 + index), Array("user-\(index % 7)".utf8), Array("uuid-\(index)".utf8), Array(#"{"event_uuid":"uuid-\#(index)","n":\#(index)}"#.utf8))
        }
    }

    @Test("records come back in order across blocks, with an empty key, an empty block and a line of 1 MiB; the file is smaller than they are")
    func roundTrip() throws {
        let directory = TestDirectory()
        let path = directory.file("b0.w0")
        let large: Record = (-1, [], Array("big".utf8), Array(repeating: UInt8(ascii: "x"), count: 1 << 20))
        let flushes = [Self.records(300, from: 0), [], [large], Self.records(1, from: 300), Self.records(2000, from: 301)]
        try Self.write(flushes, to: path)
        let back = try Self.read(path)
        let expected = flushes.flatMap { $0 }
        #expect(back.count == expected.count)
        #expect(zip(back, expected).allSatisfy { $0.time == $1.time && $0.key == $1.key && $0.uuid == $1.uuid && $0.line == $1.line })
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        #expect(size * 4 < expected.map { 28 + $0.key.count + $0.uuid.count + $0.line.count }.reduce(0, +))
    }

    @Test("a damaged or cut spill file stops the read with its path, the block's offset and what to do", arguments: ["flip", "cut"])
    func damage(kind: String) throws {
        let directory = TestDirectory()
        let path = directory.file("b0.w0")
        try Self.write([Self.records(100, from: 0), Self.records(100, from: 100)], to: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let firstBlock = 8 + Int(bytes[4]) + Int(bytes[5]) << 8
        if kind == "flip" {
            bytes[firstBlock + 4] ^= 0xFF  // the second block's length
        } else {
            bytes.removeLast(10)
        }
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Self.read(path)
        } throws: { error in
            let text = "\(error)"
            return text.contains(path) && text.contains("spill file damaged at offset \(firstBlock)") && text.contains("re-run the build")
        }
    }
}
