import Glibc
import StreamsArchive

/// One user's events of one day: from the built timelines (one index search and one small member read), or,
/// for a day whose timelines were not built, from the raw partitions.
public enum TimelineLookup {
    /// Where a day's events came from.
    public enum Source: Sendable, Equatable {
        /// Read from ROOT/timelines/date=D.
        case timelines
        /// Read from the raw partitions, which took a scan of the whole day.
        case rawPartitions
        /// The day has neither timelines nor partitions.
        case nothing
    }

    /// One day of a user's events, in event-time order.
    public struct Day: Sendable {
        public let date: UTCDate
        public let source: Source
        /// The user's stored lines, each event once, in (event_time, event_uuid) order.
        public let lines: [[UInt8]]
        /// Files of the raw partitions that could not be read to the end (raw fallback only).
        public let damage: [FileDamage]
    }

    static let plan = FieldPlan(topLevel: ["uid", "event_time"])

    /// `uid`'s events on `date`: from the built timelines (one index search, one member), or read from the raw
    /// partitions when the date has none. Holds every line: for a user with many events, `forEachEvent`.
    public static func events(of uid: ByteString, on date: UTCDate, layout: ArchiveLayout, workers: Int = System.coreCount) throws -> Day {
        var lines: [[UInt8]] = []
        let (source, damage) = try forEachEvent(of: uid, on: date, layout: layout, workers: workers) { lines.append(Array($0)) }
        return Day(date: date, source: source, lines: lines, damage: damage)
    }

    /// Calls `body` with each of `uid`'s lines on `date`, in (event_time, event_uuid) order. From built timelines
    /// the member is inflated as it is read, so a user with millions of events needs no more memory than one
    /// with ten; from the raw partitions (no timelines built) the user's lines are collected and sorted first.
    public static func forEachEvent(
        of uid: ByteString, on date: UTCDate, layout: ArchiveLayout, workers: Int = System.coreCount, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> (source: Source, damage: [FileDamage]) {
        let directory = layout.timelineDirectory(date)
        if let buckets = try TimelineManifest.bucketCount(in: directory) {
            try fromTimelines(uid, directory: directory, buckets: TimelineBuckets(count: buckets), body)
            return (.timelines, [])
        }
        return try DayScan.withFiles(layout: layout, date: date, includeOpen: false) { files in
            guard !files.isEmpty else { return (.nothing, []) }
            let day = try fromPartitions(uid, date: date, files: files, workers: workers)
            for line in day.lines { try line.withUnsafeBytes { try body($0) } }
            return (.rawPartitions, day.damage)
        }
    }

    /// Finds the uid's line in its bucket's index, then inflates only the member it names, as it reads it.
    private static func fromTimelines(
        _ uid: ByteString, directory: String, buckets: TimelineBuckets, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let bucket = buckets.bucket(of: uid.bytes)
        let indexPath = "\(directory)/\(TimelineBuckets.indexName(bucket))"
        guard let index = try POSIXFile.openForReadingIfExists(indexPath) else { return }
        let text = [0x0A] + (try index.readToEnd())
        let needle = [0x0A] + TimelineIndexLine.prefix(for: uid)
        guard let start = find(needle, in: text) else { return }
        let lineEnd = text[(start + 1)...].firstIndex(of: 0x0A) ?? text.count
        let entry = text[(start + 1)..<lineEnd].withUnsafeBytes { raw in
            FieldScanner(plan: TimelineIndexLine.plan).scan(raw) { line -> (Int64, Int64)? in
                guard let offset = line.integer(TimelineIndexLine.plan.slot("offset")),
                    let length = line.integer(TimelineIndexLine.plan.slot("length")), offset >= 0, length > 0
                else { return nil }
                return (offset, length)
            } ?? nil
        }
        guard let (offset, length) = entry else { throw TimelineError.corruptIndex(path: indexPath) }
        let scanner = FieldScanner(plan: plan)
        let reader = GzipFileReader(path: "\(directory)/\(TimelineBuckets.dataName(bucket))", range: offset..<(offset + length))
        do {
            // A member may hold other small users too: only this uid's lines are passed on.
            try reader.forEachLine { line in
                if scanner.scan(line, { $0.text(TimelineSpill.uidSlot) == uid }) == true { try body(line) }
            }
        } catch is GzipReadError {
            throw TimelineError.corruptIndex(path: indexPath)
        }
    }

    /// Scans the whole day's partitions for `uid`, in parallel, and orders what it finds.
    private static func fromPartitions(_ uid: ByteString, date: UTCDate, files: [ScannedFile], workers: Int) throws -> Day {
        let time = plan.slot("event_time")
        let outcome = DayReader.read(files, plan: plan, workers: workers, make: { [(key: (Int64, ByteString), line: [UInt8])]() }, enter: { _, _ in }) { found, event in
            guard event.text(TimelineSpill.uidSlot) == uid else { return }
            found.append(((event.integer(time) ?? .min, event.text(0) ?? .empty), Array(event.bytes)))
        }
        let sorted = outcome.accumulators.flatMap { $0 }.sorted { $0.key < $1.key }
        return Day(date: date, source: .rawPartitions, lines: sorted.map(\.line), damage: outcome.damage)
    }

    /// The offset of `needle` (which starts with a newline) in `haystack`, trying only at each newline.
    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pattern in
                var start = 0
                while start + pattern.count <= hay.count {
                    if memcmp(hay.baseAddress! + start, pattern.baseAddress!, pattern.count) == 0 { return start }
                    guard let next = memchr(hay.baseAddress! + start + 1, 0x0A, hay.count - start - 1) else { return nil }
                    start = hay.baseAddress!.distance(to: UnsafeRawPointer(next))
                }
                return nil
            }
        }
    }
}
