import Foundation
import ObjectStorage
import StreamsArchive

/// `verify --remote`: compares the bucket with the manifests it holds, and with what this root's
/// `_SHIPPED.json` records say was confirmed there.
///
/// Per sealed hour in the bucket: every file a manifest object lists is there with the manifest's size and
/// SHA-256 (the store's whole-object checksum when it returns one, else the object downloaded and hashed);
/// no sealed object is listed by no manifest; `_SUCCESS` is there; no manifest is unreadable. Per local record
/// for this destination: every object it names is in the bucket with the recorded size and SHA-256 (reports,
/// rejected input, manifests and markers too). Each finding names the key.
package struct RemoteVerifier: Sendable {
    let layout: ArchiveLayout?
    let destination: ShipDestination
    /// Where downloads are hashed (removed afterwards).
    let scratch: String

    package init(layout: ArchiveLayout?, destination: ShipDestination, scratch: String) {
        self.layout = layout
        self.destination = destination
        self.scratch = scratch
    }

    package struct Finding: Sendable, CustomStringConvertible {
        package let key: String
        package let problem: String
        package var description: String { "\(key): \(problem)" }
    }

    package struct Summary: Sendable {
        package var hours = 0
        package var objects = 0
        package var bytesRead: Int64 = 0
        package var findings: [Finding] = []
    }

    package func run(dates: [UTCDate]?) throws -> Summary {
        var summary = Summary()
        let dates = try dates ?? remoteDates()
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for date in dates {
            let remote = try RemoteDay(date: date, location: destination.location, client: destination.client)
            for key in remote.unexpected { summary.findings.append(Finding(key: key, problem: "is not where the archive's layout puts anything (extra)")) }
            for hour in remote.hours.values.sorted(by: { $0.key < $1.key }) { try check(hour, into: &summary) }
            if let layout { try checkRecords(date, layout: layout, remote: remote, into: &summary) }
        }
        return summary
    }

    /// The dates with a `date=` directory under the destination's `events/`.
    private func remoteDates() throws -> [UTCDate] {
        let base = destination.location.key("events/")
        let names = try destination.client.listObjects(prefix: base).compactMap { $0.key.dropFirst(base.count).split(separator: "/").first.map(String.init) }
        return Set(names).compactMap(UTCDate.init(directoryName:)).sorted()
    }

    private func check(_ hour: RemoteDay.Hour, into summary: inout Summary) throws {
        summary.hours += 1
        let relative = hour.key.relativePath
        func key(_ name: String) -> String { destination.location.key("\(relative)/\(name)") }
        var listed: Set<String> = []
        if hour.manifests.isEmpty { summary.findings.append(Finding(key: key(""), problem: "holds no _MANIFEST-*.json (missing manifest)")) }
        for (name, entry) in hour.manifests.sorted(by: { $0.key < $1.key }) {
            guard let manifest = entry.manifest else {
                summary.findings.append(Finding(key: key(name), problem: "is not a readable manifest"))
                continue
            }
            for file in manifest.files {
                listed.insert(file.name)
                guard let size = hour.objects[file.name] else {
                    summary.findings.append(Finding(key: key(file.name), problem: "is listed in \(name) but missing"))
                    continue
                }
                guard size == file.bytes else {
                    summary.findings.append(Finding(key: key(file.name), problem: "is \(size) bytes; the manifest says \(file.bytes) (size mismatch)"))
                    continue
                }
                summary.objects += 1
                if let problem = try checksumProblem(key(file.name), sha256: file.sha256, bytes: file.bytes, into: &summary) {
                    summary.findings.append(Finding(key: key(file.name), problem: problem))
                }
            }
        }
        for name in hour.objects.keys.sorted() where ArchiveFileName.isFinished(name) && !listed.contains(name) {
            summary.findings.append(Finding(key: key(name), problem: "is listed by no manifest in its hour (extra)"))
        }
        if hour.objects[ArchiveFileName.success] == nil {
            summary.findings.append(Finding(key: key(ArchiveFileName.success), problem: "is missing"))
        }
    }

    /// nil when the object's SHA-256 is the manifest's: the store's whole-object checksum, else a download.
    private func checksumProblem(_ key: String, sha256: String, bytes: Int64, into summary: inout Summary) throws -> String? {
        if let checksum = try destination.client.headObject(key: key)?.checksum, let hex = checksum.hex {
            return hex == sha256 ? nil : "sha256 \(hex) (the store's checksum) does not match the manifest's \(sha256) (checksum mismatch)"
        }
        let download = "\(scratch)/verify-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: download) }
        try destination.client.getObject(key: key, to: download)
        let (read, digest) = try FileDigest.sha256(ofFile: download)
        summary.bytesRead += read
        return digest.hex == sha256 ? nil : "read back with sha256 \(digest.hex); the manifest says \(sha256) (checksum mismatch)"
    }

    /// Every object this root's records (for this destination) name is in the bucket with the recorded size.
    private func checkRecords(_ date: UTCDate, layout: ArchiveLayout, remote: RemoteDay, into summary: inout Summary) throws {
        var directories = try ArchivePartitions.all(layout: layout, date: date).map { layout.path($0) }
        directories += [layout.reportDirectory(date), layout.rejectedDirectory(date)]
        var sizes: [String: Int64] = [:]
        var manifests: [String: [UInt8]] = [:]
        for hour in remote.hours.values {
            for (name, size) in hour.objects { sizes[destination.location.key("\(hour.key.relativePath)/\(name)")] = size }
            for (name, entry) in hour.manifests { manifests[destination.location.key("\(hour.key.relativePath)/\(name)")] = entry.bytes }
        }
        for (root, objects) in remote.reports {
            for (name, size) in objects { sizes[destination.location.key("\(ShipUnit.reportKeyDirectory(date, root: root))/\(name)")] = size }
        }
        for (name, size) in remote.rejected { sizes[destination.location.key("rejected/\(date.directoryName)/\(name)")] = size }
        for directory in directories where Directory.exists(directory) {
            guard let record = try ShipRecord.read(in: directory), record.destination == destination.description else { continue }
            for object in record.objects {
                guard let size = sizes[object.key] else {
                    summary.findings.append(Finding(key: object.key, problem: "is recorded as shipped in \(directory)/\(ArchiveFileName.shipped) but missing"))
                    continue
                }
                guard size == object.bytes else {
                    summary.findings.append(Finding(key: object.key, problem: "is \(size) bytes; \(ArchiveFileName.shipped) recorded \(object.bytes) (size mismatch)"))
                    continue
                }
                // Sealed files were checked against their manifests above; a manifest's bytes are in hand; the
                // rest (reports, rejected input, markers) are checked against the SHA-256 the record holds.
                if ArchiveFileName.isSealed(object.name) { continue }
                if let bytes = manifests[object.key] {
                    let sha = FileDigest.sha256(of: bytes).hex
                    if sha != object.sha256 {
                        summary.findings.append(Finding(key: object.key, problem: "sha256 \(sha); \(ArchiveFileName.shipped) recorded \(object.sha256) (checksum mismatch)"))
                    }
                } else if let problem = try checksumProblem(object.key, sha256: object.sha256, bytes: object.bytes, into: &summary) {
                    summary.findings.append(Finding(key: object.key, problem: problem.replacingOccurrences(of: "the manifest says", with: "\(ArchiveFileName.shipped) recorded")))
                }
            }
        }
    }
}
