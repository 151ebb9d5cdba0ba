import Glibc

/// The archive root's name among the roots that ship into one bucket: `<host>-<8 hex>`, kept in `ROOT/_root-id`.
///
/// Sealed files carry it (`sealed-<root>-<ms>.jsonl.gz`, and so their manifests' object names), and a root's
/// report ships under `reports/date=D/root=<root>/`, so several roots' objects in one bucket never share a
/// key. It belongs to the root, not the host: a disk moved to another box keeps it. Made on first need: written
/// whole to a hidden temporary, fsynced, and linked to its name (`link` fails if another process got there
/// first, whose id is then the one read), the root fsynced; so every process on a root uses one id, and a
/// crash leaves the id whole or absent. An operator may write the file before the first seal to choose the name.
package struct RootIdentity: Sendable, Equatable, CustomStringConvertible {
    package let id: String
    package var description: String { id }

    package static let fileName = "_root-id"
    static let maximumLength = 64

    /// `id` if it is one: 1–64 of `a-z`, `0-9` and `-`, not starting or ending with `-`, not all digits (so a
    /// sealed name `sealed-<root>-<ms>` never reads as one from before root ids, `sealed-<ms>`).
    package init?(_ id: String) {
        let allowed = id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        guard (1...Self.maximumLength).contains(id.utf8.count), allowed, !id.hasPrefix("-"), !id.hasSuffix("-"),
            !id.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { return nil }
        self.id = id
    }

    /// The root's id, made (durably) if it has none yet.
    package static func establish(layout: ArchiveLayout) throws(StorageError) -> RootIdentity {
        let path = "\(layout.root)/\(fileName)"
        if let existing = try read(path) { return existing }
        try Directory.create(layout.root)
        let fresh = generate()
        let temporary = "\(layout.root)/\(AtomicFile.temporaryName(for: fileName))"
        let file = try POSIXFile.createTruncating(temporary)
        try file.write(Array("\(fresh.id)\n".utf8), at: 0)
        try file.sync()
        let linked = link(temporary, path) == 0
        let failure = errno
        try Directory.removeFile(temporary)
        guard linked || failure == EEXIST else { throw StorageError("link", path: path, code: failure) }
        try Directory.sync(layout.root)
        guard let identity = try read(path) else { throw StorageError("read", path: path, reason: "vanished right after it was made") }
        return identity
    }

    private static func read(_ path: String) throws(StorageError) -> RootIdentity? {
        guard let file = try POSIXFile.openForReadingIfExists(path) else { return nil }
        var text = String(decoding: try file.readToEnd(), as: UTF8.self)
        while text.last?.isWhitespace == true { text.removeLast() }
        guard let identity = RootIdentity(text) else {
            throw StorageError(
                "read", path: path,
                reason: "holds \"\(text.prefix(80))\", not a root id: write 1 to \(maximumLength) of a-z, 0-9 and '-' (not all digits), or remove the file to have one made"
            )
        }
        return identity
    }

    /// `<host>-<8 hex>`: the host name (lower case, other characters as `-`, at most 24) for whoever reads a
    /// bucket listing, and 32 random bits so two roots on one host differ.
    static func generate() -> RootIdentity {
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count) == 0 ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        var name = String(host.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "-" }.prefix(24))
        while name.hasPrefix("-") { name.removeFirst() }
        while name.hasSuffix("-") { name.removeLast() }
        if name.isEmpty { name = "root" }
        var generator = SystemRandomNumberGenerator()
        let random = String(generator.next() & 0xFFFF_FFFF, radix: 16)
        return RootIdentity(name + "-" + String(repeating: "0", count: 8 - random.count) + random)!
    }
}
