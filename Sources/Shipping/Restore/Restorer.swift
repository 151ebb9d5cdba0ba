import Foundation
import ObjectStorage
import StreamsArchive

/// `restore`: brings a shipped date back under the root, so report, timelines and verify run on it again.
///
/// Each directory (a sealed hour; the report; the rejected input) is assembled in a hidden sibling
/// (`.hour=HH.restore-<pid>`, which no reader and no listing of the archive takes for a partition): for an hour,
/// every sealed file its current manifests list is downloaded there and checked against its manifest (bytes,
/// SHA-256, and its events counted through gzip), then its `_MANIFEST.json` (the shipped manifest's own bytes;
/// for an hour several roots shipped, one listing every root's files, beside a copy of each root's manifest),
/// `_SUCCESS` and a `_SHIPPED.json` naming the objects it came from; everything is fsynced and the directory
/// renamed into place in one step. So a reader, seal or ship sees the hour whole or not at all, even if restore
/// is killed; a killed run's hidden directories are removed by the next. A directory that fails a check is
/// left out whole; the others are restored. A directory already here with data is never mixed into: an hour
/// with the same sealed files counts as already here, one with other data is refused. Runs under the seal
/// lock (no seal or retain meanwhile). When every hour is back, the date's `_RETAINED.json` goes, and the date
/// is an ordinary one again. The report comes back when it is the only root's whose data is in the bucket; with
/// several roots (each one's report covers what it received) none does, and the summary says to rebuild it
/// with `report`, which keeps each event once across the roots' files.
package struct Restorer: Sendable {
    let layout: ArchiveLayout
    let destination: ShipDestination

    package init(layout: ArchiveLayout, destination: ShipDestination) {
        self.layout = layout
        self.destination = destination
    }

    /// What a restore did.
    package struct Summary: Sendable {
        package var hoursRestored = 0
        package var hoursAlreadyHere = 0
        package var files = 0
        package var events = 0
        package var bytes: Int64 = 0
        package var reportFiles = 0
        /// The roots whose reports or sealed files of the date are in the bucket, when there are several (no
        /// root's report covers the day then, and none is restored).
        package var reportsOfSeveralRoots: [String] = []
        package var rejectedFiles = 0
        package var retentionRecordRemoved = false
        /// Objects or directories refused, with why (nothing of them was made visible).
        package var refused: [(what: String, reason: String)] = []
    }

    package func run(date: UTCDate) throws -> Summary {
        let lock = try Sealer.waitForSealLock(layout: layout)
        return try withExtendedLifetime(lock) {
            try Self.removeLeftovers(date, layout: layout)
            let remote = try RemoteDay(date: date, location: destination.location, client: destination.client)
            guard !remote.hours.isEmpty || !remote.reports.isEmpty else { throw RestoreNothing(date: date, destination: destination.description) }
            var summary = Summary()
            for hour in remote.hours.values.sorted(by: { $0.key < $1.key }) {
                do {
                    try restore(hour, into: &summary)
                } catch let refusal as Refusal {
                    summary.refused.append((refusal.what, refusal.reason))
                } catch {
                    summary.refused.append((hour.key.relativePath, "\(error)"))
                }
            }
            // A root's report covers what that root received: it is the day's report only when no other root's
            // sealed files are in the day (files from before root ids are taken as the report's root's).
            let sealingRoots = Set(remote.hours.values.flatMap { $0.objects.keys.compactMap { ArchiveFileName.sealingRoot(of: $0)?.id } })
            if remote.reports.count == 1, let (root, objects) = remote.reports.first, sealingRoots.subtracting([root]).isEmpty {
                let keyDirectory = ShipUnit.reportKeyDirectory(date, root: root)
                summary.reportFiles = try restoreFlat(objects, relative: "reports/\(date.directoryName)", keyDirectory: keyDirectory, into: &summary)
            } else if !remote.reports.isEmpty {
                summary.reportsOfSeveralRoots = Set(remote.reports.keys).union(sealingRoots).sorted()
            }
            let rejected = "rejected/\(date.directoryName)"
            summary.rejectedFiles = try restoreFlat(remote.rejected, relative: rejected, keyDirectory: rejected, into: &summary)
            if summary.refused.isEmpty, try POSIXFile.openForReadingIfExists(layout.retentionRecord(date)) != nil {
                try Directory.removeFile(layout.retentionRecord(date))
                try Directory.sync(layout.eventsDirectory(date))
                summary.retentionRecordRemoved = true
            }
            return summary
        }
    }

    private struct Refusal: Error {
        let what: String
        let reason: String
    }

    private func restore(_ hour: RemoteDay.Hour, into summary: inout Summary) throws {
        let relative = hour.key.relativePath
        func key(_ name: String) -> String { destination.location.key("\(relative)/\(name)") }
        let current = try currentManifests(hour)
        let manifest = current.count == 1 ? current[0].manifest : Self.combined(current)
        let directory = layout.path(hour.key)
        if let local = try? PartitionContents(key: hour.key, layout: layout), !local.isEmpty {
            let same = local.isSealed && Set(local.manifest?.files.map { "\($0.name) \($0.sha256)" } ?? []) == Set(manifest.files.map { "\($0.name) \($0.sha256)" })
            guard same else { throw Refusal(what: relative, reason: "holds other data here; restore only brings back hours that are gone (move them away first)") }
            summary.hoursAlreadyHere += 1
            return
        }
        var counted = (files: 0, events: 0, bytes: Int64(0))
        try stage(directory) { staging in
            for file in manifest.files {
                guard let size = hour.objects[file.name] else { throw Refusal(what: key(file.name), reason: "is listed in the hour's manifest but missing from the bucket") }
                guard size == file.bytes else { throw Refusal(what: key(file.name), reason: "is \(size) bytes in the bucket; the manifest says \(file.bytes)") }
                let path = "\(staging)/\(file.name)"
                try destination.client.getObject(key: key(file.name), to: path)
                let (bytes, digest) = try FileDigest.sha256(ofFile: path)
                guard bytes == file.bytes, digest.hex == file.sha256 else {
                    throw Refusal(what: key(file.name), reason: "downloaded \(bytes) bytes with sha256 \(digest.hex); the manifest says \(file.bytes) bytes, \(file.sha256)")
                }
                var events = 0
                try GzipFileReader(path: path).forEachLine { _ in events += 1 }
                guard events == file.events else { throw Refusal(what: key(file.name), reason: "holds \(events) events; the manifest says \(file.events)") }
                counted = (counted.files + 1, counted.events + events, counted.bytes + bytes)
            }
            if current.count == 1 {
                try AtomicFile.write(current[0].bytes, to: "\(staging)/\(ArchiveFileName.manifest)")
            } else {
                for entry in current { try AtomicFile.write(entry.bytes, to: "\(staging)/\(entry.name)") }
                try AtomicFile.write(manifest.render(), to: "\(staging)/\(ArchiveFileName.manifest)")
            }
            try AtomicFile.write([], to: "\(staging)/\(ArchiveFileName.success)")
            var objects = manifest.files.map { ShipRecord.Object(name: $0.name, key: key($0.name), bytes: $0.bytes, sha256: $0.sha256) }
            for entry in current {
                objects.append(ShipRecord.Object(name: entry.name, key: key(entry.name), bytes: Int64(entry.bytes.count), sha256: FileDigest.sha256(of: entry.bytes).hex))
            }
            objects.append(ShipRecord.Object(name: ArchiveFileName.success, key: key(ArchiveFileName.success), bytes: 0, sha256: FileDigest.sha256(of: []).hex))
            try ShipRecord(destination: destination.description, shippedAt: SystemClock().now(), checkedBy: "restored", objects: objects).write(in: staging)
        }
        summary.hoursRestored += 1
        summary.files += counted.files
        summary.events += counted.events
        summary.bytes += counted.bytes
    }

    /// The hour's current manifests: of its manifest objects, those no other one replaced (a re-seal's manifest
    /// lists what it replaced among its sources; a killed ship can leave the replaced one in the bucket). One per
    /// root that shipped the hour.
    private func currentManifests(_ hour: RemoteDay.Hour) throws -> [(name: String, bytes: [UInt8], manifest: SealManifest)] {
        let relative = hour.key.relativePath
        var readable: [(name: String, bytes: [UInt8], manifest: SealManifest)] = []
        for (name, entry) in hour.manifests.sorted(by: { $0.key < $1.key }) {
            guard let manifest = entry.manifest else { throw Refusal(what: destination.location.key("\(relative)/\(name)"), reason: "is not a readable manifest") }
            readable.append((name, entry.bytes, manifest))
        }
        let replaced = Set(readable.flatMap { $0.manifest.sources.map(\.name) })
        let current = readable.filter { entry in !entry.manifest.files.contains { replaced.contains($0.name) } }
        guard !current.isEmpty else { throw Refusal(what: relative, reason: "no _MANIFEST-*.json object: not a shipped sealed hour") }
        return current
    }

    /// One manifest for an hour several roots shipped: every root's files (each event may be in more than one:
    /// a batch retried onto another receiver is stored by both; readers keep each event_uuid once), naming the
    /// manifests it combines, which are kept beside it.
    static func combined(_ manifests: [(name: String, bytes: [UInt8], manifest: SealManifest)]) -> SealManifest {
        let all = manifests.map(\.manifest)
        var combined = SealManifest(
            partition: all[0].partition, sealedAt: all.map(\.sealedAt).max()!, files: all.flatMap(\.files).sorted { $0.name < $1.name }, sources: [],
            duplicatesDropped: all.map(\.duplicatesDropped).reduce(0, +)
        )
        combined.lineRule = all.map(\.lineRule).min()!
        combined.combines = manifests.map(\.name).sorted()
        return combined
    }

    /// Restores the report's or rejected input's files, when the directory is not here, as one staged
    /// directory with a `_SHIPPED.json`; a file whose bytes differ from the store's checksum (when it returns
    /// one) or the listing's size is refused and the directory left out. Returns how many files came back.
    private func restoreFlat(_ objects: [String: Int64], relative: String, keyDirectory: String, into summary: inout Summary) throws -> Int {
        let directory = layout.path(relative: relative)
        guard !objects.isEmpty, !Directory.exists(directory) else { return 0 }
        var records: [ShipRecord.Object] = []
        do {
            try stage(directory) { staging in
                for name in objects.keys.sorted() {
                    let key = destination.location.key("\(keyDirectory)/\(name)")
                    let path = "\(staging)/\(name)"
                    try destination.client.getObject(key: key, to: path)
                    let (bytes, digest) = try FileDigest.sha256(ofFile: path)
                    let stored = try destination.client.headObject(key: key)?.checksum?.hex
                    guard bytes == objects[name], stored.map({ $0 == digest.hex }) ?? true else {
                        throw Refusal(what: key, reason: "downloaded \(bytes) bytes with sha256 \(digest.hex); the store lists \(objects[name]!) bytes\(stored.map { ", sha256 \($0)" } ?? "")")
                    }
                    records.append(ShipRecord.Object(name: name, key: key, bytes: bytes, sha256: digest.hex))
                }
                try ShipRecord(destination: destination.description, shippedAt: SystemClock().now(), checkedBy: "restored", objects: records).write(in: staging)
            }
        } catch let refusal as Refusal {
            summary.refused.append((refusal.what, refusal.reason))
            return 0
        }
        return records.count
    }

    /// Builds `directory` in a hidden sibling, fsyncs it and renames it into place (the target absent, or an
    /// empty directory removed first); on any error the sibling goes and nothing is visible.
    private func stage(_ directory: String, _ fill: (String) throws -> Void) throws {
        let parent = Directory.parentPath(of: directory)
        try Directory.createDurably(parent, below: layout.root)
        let staging = "\(parent)/.\(Directory.fileName(of: directory))\(Self.stagingMarker)\(getpid())"
        try Directory.removeTree(staging)
        try Directory.create(staging)
        do {
            try fill(staging)
            for name in try Directory.entries(staging) { try POSIXFile.openForReading("\(staging)/\(name)").sync() }
            try Directory.sync(staging)
            _ = try Directory.removeIfEmpty(directory)
            try Directory.rename(staging, to: directory)
            try Directory.sync(parent)
        } catch {
            try? Directory.removeTree(staging)
            throw error
        }
    }

    static let stagingMarker = ".restore-"

    /// Removes the hidden directories a killed restore left for `date`: beside its hours, its report and its
    /// rejected input.
    static func removeLeftovers(_ date: UTCDate, layout: ArchiveLayout) throws {
        var parents = [layout.reportsDirectory, layout.rejectedDirectory]
        let dateDirectory = layout.eventsDirectory(date)
        if Directory.exists(dateDirectory) { parents += try Directory.entries(dateDirectory).map { "\(dateDirectory)/\($0)" } }
        for parent in parents where Directory.exists(parent) {
            for name in try Directory.entries(parent) where name.hasPrefix(".") && name.contains(stagingMarker) { try Directory.removeTree("\(parent)/\(name)") }
        }
    }
}

/// The bucket holds nothing of the date.
package struct RestoreNothing: Error, CustomStringConvertible {
    let date: UTCDate
    let destination: String
    package var description: String { "\(destination) holds no sealed hour and no report of \(date): check the date and the destination" }
}
