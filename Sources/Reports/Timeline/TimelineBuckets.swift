/// How a day's timelines are split: uids go to buckets by a stable hash, so one user's day is in one file.
///
/// The hash is 64-bit FNV-1a over the uid's UTF-8 bytes, bucket = hash mod `count`: stable across processes,
/// versions and languages (three lines of Python reproduce it), unlike Swift's per-process seeded `Hasher`.
/// The count is a power of two chosen from the day's size, so a bucket holds about 16 MB of JSON and the
/// build sorts one bucket at a time in bounded memory however large the day is.
package struct TimelineBuckets: Sendable, Equatable {
    package let count: Int

    package static let targetBucketBytes: Int64 = 16 << 20
    /// JSON lines compress about 10:1 at gzip level 6, which is what the day's raw files mostly are.
    static let compressionRatio: Int64 = 10

    package init(count: Int) {
        precondition(count > 0 && count & (count - 1) == 0, "bucket count must be a power of two")
        self.count = count
    }

    /// Enough buckets for `compressedBytes` of raw partitions: 16 to 4096.
    package init(forCompressedBytes compressedBytes: Int64) {
        var count = 16
        while count < 4096 && Int64(count) * Self.targetBucketBytes < compressedBytes * Self.compressionRatio { count <<= 1 }
        self.init(count: count)
    }

    package func bucket(of uid: UnsafeRawBufferPointer) -> Int {
        Int(truncatingIfNeeded: Self.fnv1a(uid) & UInt64(count - 1))
    }

    package func bucket(of uid: [UInt8]) -> Int {
        uid.withUnsafeBytes { bucket(of: $0) }
    }

    static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }

    /// `part-0007.jsonl.gz`: a bucket's events, whole users per gzip member.
    package static func dataName(_ bucket: Int) -> String { "part-\(pad(bucket)).jsonl.gz" }
    /// `part-0007.index.jsonl`: one line per uid of the bucket, with where its member is.
    package static func indexName(_ bucket: Int) -> String { "part-\(pad(bucket)).index.jsonl" }

    private static func pad(_ bucket: Int) -> String {
        let digits = String(bucket)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
