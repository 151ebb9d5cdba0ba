import Foundation
import Glibc
import StreamsArchive

/// The report's users, spilled to disk when the workers' user sets outgrow the memory budget: each
/// (group, uid) pair goes to one of `partitions` files chosen by the uid, so every uid's pairs are in one
/// partition, and `UserCounts` of the partitions, one at a time, add up to the counts of the whole day.
///
/// The files are scratch, in a hidden directory of their own under `ROOT/_spill/` named for the process
/// (`report-<pid>`), not fsynced, removed when the report is built; a crashed run's directory is removed by the
/// next report whose process finds the owner gone. Records are 81 bytes: campaign, code, variation, locale and
/// uid fingerprints (16 bytes each) and a byte saying which of variation and locale are present; a channel's
/// users (`UserGroup.channel`) are records with that byte's bit 4 set and the channel's index in the campaign.
final class UserSpill: @unchecked Sendable {
    let scratch: String
    let directory: String
    let partitions: Int
    private let lock = NSLock()
    private var files: [POSIXFile?]
    private var buffers: [[UInt8]]
    private var sizes: [Int64]
    private let flushBytes: Int
    private(set) var used = false

    static let recordBytes = 81

    /// Partitions enough that counting one (its pairs' sets, and the unions `UserCounts` makes of them, up to
    /// about six per pair) stays within the budget, for `pairs` pairs at most.
    init(layout: ArchiveLayout, budget: Int, pairs: Int) throws {
        scratch = "\(layout.root)/_spill"
        try Self.removeAbandoned(in: scratch)
        directory = "\(scratch)/report-\(getpid())"
        partitions = max(2, min(256, pairs * FingerprintSet.bytesPerMember * 6 / max(1, budget) + 1))
        files = Array(repeating: nil, count: partitions)
        buffers = Array(repeating: [], count: partitions)
        sizes = Array(repeating: 0, count: partitions)
        flushBytes = max(4096, min(1 << 16, budget / (4 * partitions)))
    }

    /// Appends every uid of `users` for `key`.
    func append(_ key: UserGroup, _ users: FingerprintSet) throws {
        try lock.withLock {
            if !used {
                try Directory.create(scratch)
                try Directory.removeTree(directory)
                try Directory.create(directory)
                used = true
            }
            var failure: (any Error)?
            users.forEach { uid in
                guard failure == nil else { return }
                let partition = Int(truncatingIfNeeded: uid.high % UInt64(partitions))
                Self.encode(key, uid, into: &buffers[partition])
                if buffers[partition].count >= flushBytes {
                    do { try flush(partition) } catch { failure = error }
                }
            }
            if let failure { throw failure }
        }
    }

    /// The user sets of one partition, by group (after `finishWriting`).
    func read(_ partition: Int) throws -> [(key: UserGroup, users: FingerprintSet)] {
        guard files[partition] != nil else { return [] }
        let file = try POSIXFile.openForReading(path(partition))
        var groups: [UserGroup: FingerprintSet] = [:]
        var offset: Int64 = 0
        let chunk = max(Self.recordBytes, flushBytes / Self.recordBytes * Self.recordBytes)
        while offset < sizes[partition] {
            let bytes = try file.read(count: chunk, at: offset)
            guard bytes.count % Self.recordBytes == 0, !bytes.isEmpty else { throw StorageError("read", path: directory, reason: "user spill file cut short") }
            bytes.withUnsafeBytes { raw in
                for start in stride(from: 0, to: raw.count, by: Self.recordBytes) {
                    let (key, uid) = Self.decode(raw, at: start)
                    groups[key, default: FingerprintSet()].insert(uid)
                }
            }
            offset += Int64(bytes.count)
        }
        return groups.map { ($0.key, $0.value) }
    }

    /// Writes what is buffered; call before reading partitions.
    func finishWriting() throws {
        try lock.withLock { for partition in 0..<partitions { try flush(partition) } }
    }

    func remove() { try? Directory.removeTree(directory) }

    private func flush(_ partition: Int) throws {
        guard !buffers[partition].isEmpty else { return }
        if files[partition] == nil {
            files[partition] = try POSIXFile.createTruncating(path(partition))
        }
        try files[partition]!.write(buffers[partition], at: sizes[partition])
        sizes[partition] += Int64(buffers[partition].count)
        buffers[partition].removeAll(keepingCapacity: true)
    }

    private func path(_ partition: Int) -> String { "\(directory)/users-\(partition)" }

    private static let channelRecord: UInt8 = 4

    private static func encode(_ group: UserGroup, _ uid: Fingerprint, into buffer: inout [UInt8]) {
        func put(_ fingerprint: Fingerprint?) {
            let value = fingerprint ?? Fingerprint(high: 0, low: 0)
            withUnsafeBytes(of: value.high.littleEndian) { buffer.append(contentsOf: $0) }
            withUnsafeBytes(of: value.low.littleEndian) { buffer.append(contentsOf: $0) }
        }
        switch group {
        case .tally(let key):
            put(key.campaignID)
            put(key.eventCode)
            put(key.variation)
            put(key.locale)
            put(uid)
            buffer.append((key.variation == nil ? 0 : 1) | (key.locale == nil ? 0 : 2))
        case .channel(let channel):
            put(Fingerprint(high: 0, low: UInt64(Channel.allCases.firstIndex(of: channel)!)))
            put(nil)
            put(nil)
            put(nil)
            put(uid)
            buffer.append(channelRecord)
        }
    }

    private static func decode(_ raw: UnsafeRawBufferPointer, at start: Int) -> (UserGroup, Fingerprint) {
        func get(_ index: Int) -> Fingerprint {
            Fingerprint(
                high: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + index * 16, as: UInt64.self)),
                low: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + index * 16 + 8, as: UInt64.self))
            )
        }
        let present = raw[start + 80]
        if present & channelRecord != 0 { return (.channel(Channel.allCases[Int(get(0).low)]), get(4)) }
        let key = TallyKey(campaignID: get(0), eventCode: get(1), variation: present & 1 != 0 ? get(2) : nil, locale: present & 2 != 0 ? get(3) : nil)
        return (.tally(key), get(4))
    }

    /// Removes the spill directories of report processes that are gone.
    private static func removeAbandoned(in scratch: String) throws {
        guard Directory.exists(scratch) else { return }
        for name in try Directory.entries(scratch) where name.hasPrefix("report-") {
            guard let pid = Int32(name.dropFirst("report-".count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try Directory.removeTree("\(scratch)/\(name)") }
        }
    }
}
