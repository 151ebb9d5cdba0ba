import Foundation
import ObjectStorage
import StreamsArchive

/// `ship`: copies every sealed hour not yet shipped (or re-sealed since), each date's report and its rejected
/// input to the destination, confirms every object, and records each directory in its `_SHIPPED.json`.
///
/// Order within a directory: data, then its manifest, then `_SUCCESS`; each object created with
/// `If-None-Match: *` and confirmed (size and SHA-256, from the store or read back) before the next. Objects an
/// earlier version left (a re-sealed hour's old sealed file and manifest) are deleted only after the new ones
/// are confirmed, then the record is written: so the record never names an unconfirmed object, and a reader of
/// the bucket sees each hour's data at every moment. Killed anywhere, a re-run finds what is there (412, then
/// the same confirmation) and finishes; it first aborts every multipart upload the last run started
/// (`UploadJournal`). One run per root at a time (`_ship.lock`, exit 75 for a second).
package struct Shipper: Sendable {
    package static let lockName = "_ship.lock"

    let layout: ArchiveLayout
    let destination: ShipDestination
    package var workers = 4
    package var uploader: ObjectUploader
    package let progress: ShipProgress

    package init(layout: ArchiveLayout, destination: ShipDestination) {
        self.layout = layout
        self.destination = destination
        progress = ShipProgress()
        uploader = ObjectUploader(client: destination.client, scratch: "\(layout.root)/_shipping", progress: progress)
    }

    /// Ships `dates` (every date in the archive when nil) and returns what happened.
    package func run(dates: [UTCDate]?, now: @escaping @Sendable () -> UTCInstant) throws -> ShipSummary {
        let lock = try POSIXFile.openForAppending(layout.lock(Self.lockName))
        guard try lock.tryLockExclusive() else { throw ShipBusy(root: layout.root) }
        return try withExtendedLifetime(lock) {
            try? FileManager.default.removeItem(atPath: uploader.scratch)
            try Directory.create(uploader.scratch)
            defer { try? FileManager.default.removeItem(atPath: uploader.scratch) }
            let root = try RootIdentity.establish(layout: layout)
            var shipper = self
            shipper.uploader.journal = try UploadJournal(layout: layout, destination: destination)
            let units = try self.units(dates: dates, root: root)
            let outcomes = UnitOutcomes(units.count)
            BlockingWorkers.forEach(units.count, workers: workers) { [shipper] index in
                outcomes.set(index, shipper.ship(units[index], root: root, now: now))
            }
            return outcomes.summary()
        }
    }

    /// The directories of `dates`: every hour, then the report, then the rejected input of each date.
    func units(dates: [UTCDate]?, root: RootIdentity) throws -> [ShipUnit] {
        let all = Set(try ArchivePartitions.dates(in: layout.eventsDirectory) + ArchivePartitions.dates(in: layout.reportsDirectory)
            + ArchivePartitions.dates(in: layout.rejectedDirectory))
        var units: [ShipUnit] = []
        for date in (dates ?? all.sorted()) {
            for key in try ArchivePartitions.all(layout: layout, date: date) {
                units.append(ShipUnit(kind: .hour(key), directory: layout.path(key), relativeDirectory: key.relativePath, keyDirectory: key.relativePath))
            }
            let report = layout.reportDirectory(date)
            let reportRelative = "reports/\(date.directoryName)"
            if Directory.exists(report) {
                let keyDirectory = try reportKeyDirectory(report, date: date, root: root)
                units.append(ShipUnit(kind: .report(date), directory: report, relativeDirectory: reportRelative, keyDirectory: keyDirectory))
            }
            let rejected = layout.rejectedDirectory(date)
            let rejectedRelative = "rejected/\(date.directoryName)"
            if Directory.exists(rejected) {
                units.append(ShipUnit(kind: .rejected(date), directory: rejected, relativeDirectory: rejectedRelative, keyDirectory: rejectedRelative))
            }
        }
        return units
    }

    /// Where a date's report goes: under this root, but for a report restored from another root's objects and
    /// not rebuilt since (every file as its record names it), which stays where it came from (shipping it is then
    /// nothing to do). A report this root builds never goes under another root's key.
    private func reportKeyDirectory(_ directory: String, date: UTCDate, root: RootIdentity) throws -> String {
        let own = ShipUnit.reportKeyDirectory(date, root: root.id)
        let base = destination.location.key("reports/\(date.directoryName)/")
        guard let record = try ShipRecord.read(in: directory), record.destination == destination.description, let key = record.objects.first?.key,
            key.hasPrefix(base), let owner = key.dropFirst(base.count).split(separator: "/").first.flatMap(ShipUnit.reportRoot), owner != root
        else { return own }
        let names = try Directory.entries(directory).filter { !$0.hasPrefix(".") && $0 != ArchiveFileName.shipped }
        guard Set(names) == Set(record.objects.map(\.name)) else { return own }
        for object in record.objects {
            let (bytes, digest) = try FileDigest.sha256(ofFile: "\(directory)/\(object.name)")
            guard bytes == object.bytes, digest.hex == object.sha256 else { return own }
        }
        return ShipUnit.reportKeyDirectory(date, root: owner.id)
    }

    /// Ships one directory; never throws: what went wrong is its outcome.
    func ship(_ unit: ShipUnit, root: RootIdentity, now: @Sendable () -> UTCInstant) -> UnitOutcome {
        var outcome = UnitOutcome(unit: unit.description)
        do {
            let lock = try unit.lockPath.map { path in try PartitionLock.shared(path) }
            try withExtendedLifetime(lock) {
                if unit.lockPath != nil, lock == nil { throw ShipUnitObjects.NotReady.empty }  // removed by retain meanwhile
                try ship(unit, root: root, into: &outcome, now: now)
            }
        } catch ShipUnitObjects.NotReady.hourNotSealed {
            outcome.state = .notSealed
        } catch is ShipUnitObjects.NotReady {
            outcome.state = .nothingToShip
        } catch let mismatch as ObjectMismatch {
            outcome.mismatches.append((mismatch.key, mismatch.detail))
            outcome.state = .failed("\(mismatch)")
        } catch {
            outcome.state = .failed("\(error)")
        }
        return outcome
    }

    private func ship(_ unit: ShipUnit, root: RootIdentity, into outcome: inout UnitOutcome, now: @Sendable () -> UTCInstant) throws {
        let objects = try ShipUnitObjects.list(unit, layout: layout, destination: destination)
        let previous = try ShipRecord.read(in: unit.directory).flatMap { $0.destination == destination.description ? $0 : nil }
        let recorded = previous.map { Dictionary($0.objects.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first }) } ?? [:]
        let isUnchanged = { (object: LocalObject) in recorded[object.key].map { $0.bytes == object.bytes && $0.sha256 == object.sha256 } ?? false }
        if objects.allSatisfy(isUnchanged), Set(recorded.keys) == Set(objects.map(\.key)) {
            outcome.state = .alreadyShipped
            return
        }
        let pending = objects.filter { !isUnchanged($0) }
        progress.plan(objects: pending.count, bytes: pending.map(\.bytes).reduce(0, +))
        for object in pending {
            try put(object, replacing: unit.replacesEarlierObjects && recorded[object.key] != nil, into: &outcome)
            progress.finishedObject()
        }
        // Only now, with every new object confirmed, do the earlier version's objects go: this root's only, under
        // this directory's keys. A restored hour re-sealed here replaced other roots' files too, and a restored
        // report rebuilt here goes under this root's key: the other roots' objects stay for them (their records
        // name them), and readers keep each event once by its event_uuid.
        let current = Set(objects.map(\.key))
        let ownDirectory = destination.location.key("\(unit.keyDirectory)/")
        for old in previous?.objects ?? [] where !current.contains(old.key) && old.key.hasPrefix(ownDirectory)
            && (ArchiveFileName.sealingRoot(of: old.name).map { $0 == root } ?? true)
        {
            try destination.client.deleteObject(key: old.key)
            outcome.superseded += 1
        }
        let checkedBy = outcome.readBack ? "read back" : outcome.storeChecksum ? "store checksum" : previous?.checkedBy ?? "store checksum"
        try ShipRecord(
            destination: destination.description, shippedAt: now(), checkedBy: checkedBy,
            objects: objects.map { ShipRecord.Object(name: $0.name, key: $0.key, bytes: $0.bytes, sha256: $0.sha256) }
        ).write(in: unit.directory)
        if case .hour = unit.kind, let manifest = try? POSIXFile.openForReading("\(unit.directory)/\(ArchiveFileName.manifest)").readToEnd() {
            outcome.events = SealManifest.parse(manifest)?.files.map(\.events).reduce(0, +) ?? 0
        }
        outcome.state = .shipped
    }

    /// Creates one object (or finds it there) and confirms it; a rebuilt report's object replaces the one
    /// this archive shipped before.
    private func put(_ object: LocalObject, replacing: Bool, into outcome: inout UnitOutcome) throws {
        var creation = try uploader.create(object)
        var check = try uploader.check(object, after: creation)
        if case .differs = check, case .alreadyThere = creation, replacing {
            creation = try uploader.replace(object)
            check = try uploader.check(object, after: creation)
        }
        let created = if case .created = creation { true } else { false }
        switch check {
        case .confirmed(let readBack):
            if created { outcome.uploaded += 1; outcome.bytesUploaded += object.bytes } else { outcome.alreadyThere += 1 }
            if readBack { outcome.readBack = true } else { outcome.storeChecksum = true }
        case .missing:
            throw ObjectMismatch(key: object.key, detail: "is missing right after it was \(created ? "uploaded" : "found"): the store lost it or another client deleted it")
        case .differs(let detail):
            throw ObjectMismatch(key: object.key, detail: created ? "\(detail) right after upload" : "\(detail); an object not shipped from this file is at its key, left as it is")
        }
    }
}

/// An object in the bucket whose bytes are not the local file's.
struct ObjectMismatch: Error, CustomStringConvertible {
    let key: String
    let detail: String
    var description: String { "\(key): \(detail)" }
}

/// Another `ship` holds the root's ship lock.
package struct ShipBusy: Error, CustomStringConvertible {
    let root: String
    package var description: String { "another ship run holds \(Shipper.lockName) on \(root); this run was not started (it would do the same work)" }
}
