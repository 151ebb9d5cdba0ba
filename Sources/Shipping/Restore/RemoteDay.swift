import ObjectStorage
import StreamsArchive

/// A date as the bucket holds it: per sealed hour, its manifest objects (`_MANIFEST-*.json`) parsed, and every
/// object's size; each root's report objects and the rejected input's. What `restore` and `verify --remote` read.
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
    /// Objects under `reports/date=D/root=R/`: root → name → size.
    var reports: [String: [String: Int64]] = [:]
    /// Objects under `rejected/date=D/`: name → size.
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
        let reportBase = location.key("reports/\(date.directoryName)/")
        for object in try client.listObjects(prefix: reportBase) {
            let parts = object.key.dropFirst(reportBase.count).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let root = ShipUnit.reportRoot(parts[0]) else {
                unexpected.append(object.key)
                continue
            }
            reports[root.id, default: [:]][String(parts[1])] = object.bytes
        }
        let rejectedBase = location.key("rejected/\(date.directoryName)/")
        for object in try client.listObjects(prefix: rejectedBase) {
            let name = String(object.key.dropFirst(rejectedBase.count))
            if name.contains("/") { unexpected.append(object.key) } else { rejected[name] = object.bytes }
        }
    }
}
