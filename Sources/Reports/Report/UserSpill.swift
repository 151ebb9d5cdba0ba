import Foundation
import Glibc
import StreamsArchive

/// The report's users, spilled to disk when the workers' user sets outgrow the memory budget: each
/// (group, uid) pair goes to one of `partitions` files chosen by the uid, so every uid's pairs are in one
/// partition, and `UserCounts` of the partitions, one at a time, add up to the counts of the whole day.
///
/// The files are scratch, opened only while a buffer is written to one, in a hidden directory of their own
/// under `ROOT/_spill/` named for the process (`report-<pid>`), not fsynced, removed when the report is built;
/// a crashed run's directory is removed by the next report whose process finds the owner gone. A file is a run
/// of blocks, one per group and spill: the group (a flags byte saying which of variation and locale are
/// present, bit 4 for a channel's users, then campaign, code, variation and locale fingerprints: 65 bytes; a
/// channel is its index in the campaign's place), the number of uids (4 bytes), then each uid's fingerprint (16
/// bytes). So a pair costs 16 bytes on disk, not the group's 65 again, and reading one back is one table insert
/// with no lookup of its group.
final class UserSpill: @unchecked Sendable {
    let scratch: String
    let directory: String
    let partitions: Int
    private let lock = NSLock()
    private var buffers: [[UInt8]]
    private var sizes: [Int64]
    private let flushBytes: Int
    private(set) var used = false

    static let headerBytes = 69

    /// Partitions enough that counting one (its pairs' sets, and the unions `UserCounts` makes of them, up to
    /// about six per pair) stays within the budget, for `pairs` pairs at most.
    init(layout: ArchiveLayout, budget: Int, pairs: Int) throws {
        scratch = "\(layout.root)/_spill"
        try Self.removeAbandoned(in: scratch)
        directory = "\(scratch)/report-\(getpid())"
        partitions = max(2, min(256, pairs * FingerprintSet.bytesPerMember * 6 / max(1, budget) + 1))
        buffers = Array(repeating: [], count: partitions)
        sizes = Array(repeating: 0, count: partitions)
        flushBytes = max(4096, min(1 << 16, budget / (4 * partitions)))
    }

    /// The most its write buffers hold at once: part of the report's memory budget, which the user sets share
    /// what is left of.
    var bufferBytes: Int { partitions * (flushBytes + Self.headerBytes + 4 + MemoryLayout<Fingerprint>.size) }

    /// Appends every uid of `users` for `key`.
    func append(_ key: UserGroup, _ users: FingerprintSet) throws {
        try lock.withLock {
            if !used {
                // From here the workers drop their sets at every spill and grow them again.
                ProcessMemory.returnFreedBlocks()
                try Directory.create(scratch)
                try Directory.removeTree(directory)
                try Directory.create(directory)
                used = true
            }
            let header = Self.header(key)
            // Where each partition's open block keeps its count in the buffer (nil: no block open).
            var counts = [Int?](repeating: nil, count: partitions)
            var failure: (any Error)?
            users.forEach { uid in
                guard failure == nil else { return }
                let partition = Int(truncatingIfNeeded: uid.high % UInt64(partitions))
                if counts[partition] == nil {
                    buffers[partition].append(contentsOf: header)
                    counts[partition] = buffers[partition].count
                    buffers[partition].append(contentsOf: [0, 0, 0, 0])
                }
                withUnsafeBytes(of: uid.high.littleEndian) { buffers[partition].append(contentsOf: $0) }
                withUnsafeBytes(of: uid.low.littleEndian) { buffers[partition].append(contentsOf: $0) }
                buffers[partition].withUnsafeMutableBytes { raw in
                    let at = counts[partition]!
                    raw.storeBytes(of: (UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)) + 1).littleEndian, toByteOffset: at, as: UInt32.self)
                }
                if buffers[partition].count >= flushBytes {
                    do { try flush(partition) } catch { failure = error }
                    counts[partition] = nil
                }
            }
            if let failure { throw failure }
        }
    }

    /// The user sets of one partition, by group (after `finishWriting`).
    func read(_ partition: Int) throws -> [(key: UserGroup, users: FingerprintSet)] {
        guard sizes[partition] > 0 else { return [] }
        let bytes = try POSIXFile.openForReading(path(partition)).read(count: Int(sizes[partition]), at: 0)
        var groups: [UserGroup: FingerprintSet] = [:]
        let complete = bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                guard raw.count - offset >= Self.headerBytes else { return false }
                let key = Self.decodeHeader(raw, at: offset)
                let count = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 65, as: UInt32.self)))
                offset += Self.headerBytes
                guard raw.count - offset >= count * 16 else { return false }
                var users = groups.removeValue(forKey: key) ?? FingerprintSet(minimumCapacity: count)
                for _ in 0..<count {
                    users.insert(
                        Fingerprint(
                            high: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
                            low: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
                        )
                    )
                    offset += 16
                }
                groups[key] = users
            }
            return true
        }
        guard complete, bytes.count == sizes[partition] else { throw StorageError("read", path: path(partition), reason: "user spill file cut short") }
        return groups.map { ($0.key, $0.value) }
    }

    /// Writes what is buffered; call before reading partitions.
    func finishWriting() throws {
        try lock.withLock { for partition in 0..<partitions { try flush(partition) } }
    }

    func remove() { try? Directory.removeTree(directory) }

    private func flush(_ partition: Int) throws {
        guard !buffers[partition].isEmpty else { return }
        // Opened for each flush (of 4 to 64 KiB) and closed: a range report holds a descriptor per hour it reads,
        // so the spill keeps none of its up to 256 files open.
        let file = try sizes[partition] == 0 ? POSIXFile.createTruncating(path(partition)) : POSIXFile.openForUpdate(path(partition))
        try file.write(buffers[partition], at: sizes[partition])
        sizes[partition] += Int64(buffers[partition].count)
        buffers[partition].removeAll(keepingCapacity: true)
    }

    private func path(_ partition: Int) -> String { "\(directory)/users-\(partition)" }

    private static let channelGroup: UInt8 = 4

    /// A block's group: flags, then campaign, code, variation and locale (zero when absent).
    private static func header(_ group: UserGroup) -> [UInt8] {
        var header: [UInt8] = []
        header.reserveCapacity(65)
        func put(_ fingerprint: Fingerprint?) {
            let value = fingerprint ?? Fingerprint(high: 0, low: 0)
            withUnsafeBytes(of: value.high.littleEndian) { header.append(contentsOf: $0) }
            withUnsafeBytes(of: value.low.littleEndian) { header.append(contentsOf: $0) }
        }
        switch group {
        case .tally(let key):
            header.append((key.variation == nil ? 0 : 1) | (key.locale == nil ? 0 : 2))
            for fingerprint in [key.campaignID, key.eventCode, key.variation, key.locale] { put(fingerprint) }
        case .channel(let channel):
            header.append(channelGroup)
            put(Fingerprint(high: 0, low: UInt64(Channel.allCases.firstIndex(of: channel)!)))
            for _ in 0..<3 { put(nil) }
        }
        return header
    }

    private static func decodeHeader(_ raw: UnsafeRawBufferPointer, at start: Int) -> UserGroup {
        func get(_ index: Int) -> Fingerprint {
            Fingerprint(
                high: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 1 + index * 16, as: UInt64.self)),
                low: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 1 + index * 16 + 8, as: UInt64.self))
            )
        }
        let flags = raw[start]
        if flags & channelGroup != 0 { return .channel(Channel.allCases[Int(get(0).low) % Channel.allCases.count]) }
        return .tally(TallyKey(campaignID: get(0), eventCode: get(1), variation: flags & 1 != 0 ? get(2) : nil, locale: flags & 2 != 0 ? get(3) : nil))
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
