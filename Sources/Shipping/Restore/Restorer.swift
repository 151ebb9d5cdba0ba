import Foundation
import ObjectStorage
import StreamsArchive

/// `restore`: brings a shipped date back under the root, so report, timelines and verify run on it again.
///
/// Per sealed hour: every sealed file its manifest objects list is downloaded under a hidden name in the hour's
/// directory and checked against the manifest (bytes, SHA-256, and its events counted through gzip) before it
/// is renamed into place; then the hour's `_MANIFEST.json` (the shipped manifest's own bytes; for an hour that
/// several roots shipped, one manifest listing every root's file), `_SUCCESS`, and `_SHIPPED.json` naming the
/// objects it came from, so `ship` does not send it again and `retain` may remove it again. An hour that fails a
/// check is left out whole, its temporaries removed; the others are restored. An hour already here with the
/// same sealed files is left as it is; one holding other data is refused (restore never mixes data into an hour).
/// The date's report and rejected input come back if they are missing here. When every hour is back, the
/// date's `_RETAINED.json` goes, and the date is an ordinary one again.
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
        package var rejectedFiles = 0
        package var retentionRecordRemoved = false
        /// Objects or hours refused, with why (nothing of them was made visible).
        package var refused: [(what: String, reason: String)] = []
    }

    package func run(date: UTCDate) throws -> Summary {
        let remote = try RemoteDay(date: date, location: destination.location, client: destination.client)
        var summary = Summary()
        guard !remote.hours.isEmpty || !remote.report.isEmpty else {
            throw RestoreNothing(date: date, destination: destination.description)
        }
        for hour in remote.hours.values.sorted(by: { $0.key < $1.key }) {
            do {
                try restore(hour, into: &summary)
            } catch let refusal as Refusal {
                summary.refused.append((refusal.what, refusal.reason))
            } catch {
                summary.refused.append((hour.key.relativePath, "\(error)"))
            }
        }
        summary.reportFiles = try restoreFlat(remote.report, relative: "reports/\(date.directoryName)", into: &summary, markerLast: true)
        summary.rejectedFiles = try restoreFlat(remote.rejected, relative: "rejected/\(date.directoryName)", into: &summary, markerLast: false)
        if summary.refused.isEmpty, try POSIXFile.openForReadingIfExists(layout.retentionRecord(date)) != nil {
            try Directory.removeFile(layout.retentionRecord(date))
            try Directory.sync(layout.eventsDirectory(date))
            summary.retentionRecordRemoved = true
        }
        return summary
    }

    private struct Refusal: Error {
        let what: String
        let reason: String
    }

    private func restore(_ hour: RemoteDay.Hour, into summary: inout Summary) throws {
        let relative = hour.key.relativePath
        let manifests = hour.manifests.sorted { $0.key < $1.key }
        guard !manifests.isEmpty else { throw Refusal(what: relative, reason: "no _MANIFEST-*.json object: not a shipped sealed hour") }
        var files: [String: SealManifest.File] = [:]
        for (name, entry) in manifests {
            guard let manifest = entry.manifest else { throw Refusal(what: destination.location.key("\(relative)/\(name)"), reason: "is not a readable manifest") }
            for file in manifest.files { files[file.name] = file }
        }
        let directory = layout.path(hour.key)
        let local = try? PartitionContents(key: hour.key, layout: layout)
        if let local, !local.isEmpty {
            let same = local.isSealed && Set(local.manifest?.files.map { "\($0.name) \($0.sha256)" } ?? []) == Set(files.values.map { "\($0.name) \($0.sha256)" })
            guard same else { throw Refusal(what: relative, reason: "holds other data here; restore only brings back hours that are gone (move them away first)") }
            summary.hoursAlreadyHere += 1
            return
        }
        try Directory.createDurably(directory, below: layout.root)
        try PartitionLock.exclusive(directory) {
            var temporaries: [String] = []
            defer { for path in temporaries { try? Directory.removeFile(path) } }
            for file in files.values.sorted(by: { $0.name < $1.name }) {
                let key = destination.location.key("\(relative)/\(file.name)")
                guard let size = hour.objects[file.name] else { throw Refusal(what: key, reason: "is listed in the hour's manifest but missing from the bucket") }
                guard size == file.bytes else { throw Refusal(what: key, reason: "is \(size) bytes in the bucket; the manifest says \(file.bytes)") }
                let temporary = "\(directory)/.\(file.name).restore-\(getpid())"
                temporaries.append(temporary)
                try destination.client.getObject(key: key, to: temporary)
                let (bytes, digest) = try FileDigest.sha256(ofFile: temporary)
                guard bytes == file.bytes, digest.hex == file.sha256 else {
                    throw Refusal(what: key, reason: "downloaded \(bytes) bytes with sha256 \(digest.hex); the manifest says \(file.bytes) bytes, \(file.sha256)")
                }
                var events = 0
                try GzipFileReader(path: temporary).forEachLine { _ in events += 1 }
                guard events == file.events else { throw Refusal(what: key, reason: "holds \(events) events; the manifest says \(file.events)") }
                try POSIXFile.openForReading(temporary).sync()
                summary.files += 1
                summary.events += events
                summary.bytes += bytes
            }
            for file in files.values { try Directory.rename("\(directory)/.\(file.name).restore-\(getpid())", to: "\(directory)/\(file.name)") }
            temporaries.removeAll()
            let manifestBytes = manifests.count == 1 ? manifests[0].value.bytes : Self.combined(manifests.compactMap(\.value.manifest), partition: relative).render()
            try AtomicFile.write(manifestBytes, to: "\(directory)/\(ArchiveFileName.manifest)")
            try AtomicFile.write([], to: "\(directory)/\(ArchiveFileName.success)")
            var objects = files.values.sorted(by: { $0.name < $1.name }).map {
                ShipRecord.Object(name: $0.name, key: destination.location.key("\(relative)/\($0.name)"), bytes: $0.bytes, sha256: $0.sha256)
            }
            for (name, entry) in manifests {
                objects.append(ShipRecord.Object(name: name, key: destination.location.key("\(relative)/\(name)"), bytes: Int64(entry.bytes.count), sha256: FileDigest.sha256(of: entry.bytes).hex))
            }
            try ShipRecord(destination: destination.description, shippedAt: SystemClock().now(), checkedBy: "restored", objects: objects).write(in: directory)
        }
        summary.hoursRestored += 1
    }

    /// One manifest for an hour several roots shipped: every root's files, the latest seal time.
    static func combined(_ manifests: [SealManifest], partition: String) -> SealManifest {
        var manifest = SealManifest(
            partition: partition, sealedAt: manifests.map(\.sealedAt).max()!, files: manifests.flatMap(\.files), sources: [],
            duplicatesDropped: manifests.map(\.duplicatesDropped).reduce(0, +)
        )
        manifest.lineRule = manifests.map(\.lineRule).min() ?? 0
        return manifest
    }

    /// Restores the report's or rejected input's files if the directory is not here; returns how many.
    private func restoreFlat(_ objects: [String: Int64], relative: String, into summary: inout Summary, markerLast: Bool) throws -> Int {
        let directory = layout.path(relative: relative)
        guard !objects.isEmpty else { return 0 }
        if Directory.exists(directory), !(try Directory.entries(directory)).isEmpty { return 0 }
        try Directory.createDurably(directory, below: layout.root)
        let names = objects.keys.sorted { markerLast ? ($0.hasPrefix("_") ? 1 : 0, $0) < ($1.hasPrefix("_") ? 1 : 0, $1) : $0 < $1 }
        for name in names {
            let key = destination.location.key("\(relative)/\(name)")
            let temporary = "\(directory)/.\(name).restore-\(getpid())"
            try destination.client.getObject(key: key, to: temporary)
            let (bytes, _) = try FileDigest.sha256(ofFile: temporary)
            guard bytes == objects[name] else {
                try? Directory.removeFile(temporary)
                summary.refused.append((key, "downloaded \(bytes) bytes; the listing says \(objects[name]!)"))
                continue
            }
            try POSIXFile.openForReading(temporary).sync()
            try Directory.rename(temporary, to: "\(directory)/\(name)")
        }
        try Directory.sync(directory)
        return names.count
    }
}

/// The bucket holds nothing of the date.
package struct RestoreNothing: Error, CustomStringConvertible {
    let date: UTCDate
    let destination: String
    package var description: String { "\(destination) holds no sealed hour and no report of \(date): check the date and the destination" }
}
