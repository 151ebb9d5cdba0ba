import ObjectStorage
import StreamsArchive

/// A date as the bucket holds it: per sealed hour, its manifest objects (`_MANIFEST-*.json`) parsed, and every
/// object's size; the report's and rejected input's objects. What `restore` and `verify --remote` read.
struct RemoteDay {
    /// One hour's objects under `events/date=D/channel=C/hour=H/`.
    struct Hour {
        let key: PartitionKey
        /// Object name (in the hour) → size.
        var objects: [String: Int64] = [:]
        /// Manifest object name → the manifest it holds (nil when unreadable) and its raw bytes.
        var manifests: [String: (manifest: SealManifest?, bytes: [UInt8])] = [:]
    }

    let date: UTCDate
    var hours: [PartitionKey: Hour] = [:]
    /// Objects under `reports/date=D/` and `rejected/date=D/`: name → size.
    var report: [String: Int64] = [:]
    var rejected: [String: Int64] = [:]
    /// Keys under the date that belong to none of the above (named in `verify --remote`'s findings).
    var unexpected: [String] = []

    /// Lists the date under `location` and reads its manifests.
    init(date: UTCDate, location: S3Location, client: S3Client) throws {
        self.date = date
        let events = location.key("events/\(date.directoryName)/")
        for object in try client.listObjects(prefix: events) {
            let parts = object.key.dropFirst(events.count).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, let key = PartitionKey(dateName: date.directoryName, channelName: String(parts[0]), hourName: String(parts[1])) else {
                unexpected.append(object.key)
                continue
            }
            let name = String(parts[2])
            hours[key, default: Hour(key: key)].objects[name] = object.bytes
            if name.hasPrefix(ArchiveFileName.manifestObjectPrefix) {
                let bytes = Array(try client.getObjectData(key: object.key))
                hours[key]!.manifests[name] = (SealManifest.parse(bytes), bytes)
            }
        }
        for (prefix, keyPath) in [("reports", \RemoteDay.report), ("rejected", \RemoteDay.rejected)] {
            let base = location.key("\(prefix)/\(date.directoryName)/")
            for object in try client.listObjects(prefix: base) {
                let name = String(object.key.dropFirst(base.count))
                if name.contains("/") { unexpected.append(object.key) } else { self[keyPath: keyPath][name] = object.bytes }
            }
        }
    }
}
