import Glibc

/// Directory operations with the fsyncs that make a new name survive a crash.
package enum Directory {
    /// Flushes a directory's entries, so a file created or renamed in it is still there after power loss.
    package static func sync(_ path: String) throws(StorageError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError("open directory", path: path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StorageError("fsync directory", path: path) }
    }

    /// Creates `path` and any missing parents, syncing each parent that gained an entry.
    package static func create(_ path: String) throws(StorageError) {
        if exists(path) { return }
        let parent = parentPath(of: path)
        if parent != path { try create(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw StorageError("mkdir", path: path) }
        try sync(parent)
    }

    /// Creates `path` and its missing levels below `root` (which exists), and fsyncs every level's parent up to
    /// `root` — also levels that already exist: another process (a second receiver on the same root) may have
    /// just made one and not yet synced it, and a file acknowledged inside is durable only once every level
    /// above it is. What the writer calls before creating a file; a few fsyncs per new file.
    package static func createDurably(_ path: String, below root: String) throws(StorageError) {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        precondition(path.hasPrefix(prefix), "\(path) is not below \(root)")
        var current = root
        for component in path.dropFirst(prefix.count).split(separator: "/") {
            let next = current.hasSuffix("/") ? current + component : current + "/" + component
            if mkdir(next, 0o755) != 0 && errno != EEXIST { throw StorageError("mkdir", path: next) }
            try sync(current)
            current = next
        }
    }

    package static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Names in a directory, sorted; empty if it does not exist.
    package static func entries(_ path: String) throws(StorageError) -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw StorageError("list", path: path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Renames atomically within one filesystem and syncs the directory.
    package static func rename(_ from: String, to: String) throws(StorageError) {
        guard Glibc.rename(from, to) == 0 else { throw StorageError("rename", path: from) }
        try sync(parentPath(of: to))
    }

    package static func removeFile(_ path: String) throws(StorageError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw StorageError("remove", path: path) }
    }

    /// Removes a directory and everything under it (without following symbolic links); absent is fine.
    package static func removeTree(_ path: String) throws(StorageError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw StorageError("stat", path: path)
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return try removeFile(path) }
        for name in try entries(path) { try removeTree("\(path)/\(name)") }
        guard rmdir(path) == 0 || errno == ENOENT else { throw StorageError("remove directory", path: path) }
    }

    /// Removes `path` if it is an empty directory (or gone); false, leaving it, if something is inside.
    @discardableResult
    package static func removeIfEmpty(_ path: String) throws(StorageError) -> Bool {
        if rmdir(path) == 0 || errno == ENOENT { return true }
        if errno == ENOTEMPTY || errno == EEXIST { return false }
        throw StorageError("remove directory", path: path)
    }

    /// Points the symbolic link `link` at `target` atomically: a new link is made beside it and renamed over
    /// it, so a reader resolving `link` finds the old target or the new one, never nothing; the directory is
    /// fsynced after the rename, so the caller may remove the old target once this returns. Returns the old
    /// target, if there was one.
    @discardableResult
    package static func publishLink(_ link: String, to target: String) throws(StorageError) -> String? {
        let previous = linkTarget(link)
        let temporary = parentPath(of: link) + "/." + fileName(of: link) + ".link-\(getpid())"
        try removeFile(temporary)
        guard symlink(target, temporary) == 0 else { throw StorageError("symlink", path: temporary) }
        try rename(temporary, to: link)
        try sync(parentPath(of: link))
        return previous
    }

    /// Where a symbolic link points, or nil if `path` is not one.
    package static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The last component of a path.
    package static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    package static func parentPath(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
