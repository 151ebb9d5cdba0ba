import StreamsArchive

/// What a unit ships now, read from its directory: every object, in upload order, with its SHA-256.
enum ShipUnitObjects {
    /// Why a unit has nothing to ship yet.
    enum NotReady: Error {
        case hourNotSealed
        case reportBeingWritten
        case empty
    }

    static func list(_ unit: ShipUnit, layout: ArchiveLayout, destination: ShipDestination) throws -> [LocalObject] {
        switch unit.kind {
        case .hour(let key):
            let contents = try PartitionContents(key: key, layout: layout)
            if contents.isEmpty { throw NotReady.empty }
            guard contents.isSealed, let manifest = contents.manifest, let first = manifest.files.first else { throw NotReady.hourNotSealed }
            var objects = manifest.files.map { file in
                object(unit, destination, name: file.name, path: contents.path(of: file.name), bytes: file.bytes, sha256: file.sha256)
            }
            if manifest.combines.isEmpty {
                objects.append(try hashed(unit, destination, name: ArchiveFileName.manifestObject(forSealed: first.name), path: contents.path(of: ArchiveFileName.manifest)))
            } else {
                // Restored from several roots' objects: their manifests, as they are in the bucket.
                objects += try manifest.combines.map { try hashed(unit, destination, name: $0, path: contents.path(of: $0)) }
            }
            objects.append(try hashed(unit, destination, name: ArchiveFileName.success, path: contents.path(of: ArchiveFileName.success)))
            return objects
        case .report:
            let names = try Directory.entries(unit.directory).filter { !$0.hasPrefix(".") && $0 != ArchiveFileName.shipped }
            guard names.contains(where: { $0.hasPrefix("_") }) else { throw NotReady.reportBeingWritten }
            // Data files first, the completion marker (`_SUCCESS` or `_INCOMPLETE`) last.
            let ordered = names.filter { !$0.hasPrefix("_") }.sorted() + names.filter { $0.hasPrefix("_") }.sorted()
            return try ordered.map { try hashed(unit, destination, name: $0, path: "\(unit.directory)/\($0)") }
        case .rejected:
            let names = try Directory.entries(unit.directory).filter(ArchiveFileName.isFinished).sorted()
            guard !names.isEmpty else { throw NotReady.empty }
            return try names.map { try hashed(unit, destination, name: $0, path: "\(unit.directory)/\($0)") }
        }
    }

    private static func hashed(_ unit: ShipUnit, _ destination: ShipDestination, name: String, path: String) throws -> LocalObject {
        let (bytes, digest) = try FileDigest.sha256(ofFile: path)
        return object(unit, destination, name: name, path: path, bytes: bytes, sha256: digest.hex)
    }

    private static func object(_ unit: ShipUnit, _ destination: ShipDestination, name: String, path: String, bytes: Int64, sha256: String) -> LocalObject {
        LocalObject(
            name: name, path: path, key: destination.location.key("\(unit.keyDirectory)/\(name)"), bytes: bytes, sha256: sha256,
            contentType: LocalObject.contentType(of: name)
        )
    }
}
