import Glibc

/// Directory operations with the fsyncs that make a new name survive a crash.
public enum Directory {
    /// Flushes a directory's entries, so a file created or renamed in it is still there after power loss.
    public static func sync(_ path: String) throws(StorageError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError("open directory", path: path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StorageError("fsync directory", path: path) }
    }

    /// Creates `path` and any missing parents, syncing each parent that gained an entry.
    public static func create(_ path: String) throws(StorageError) {
        if exists(path) { return }
        let parent = parentPath(of: path)
        if parent != path { try create(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw StorageError("mkdir", path: path) }
        try sync(parent)
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Names in a directory, sorted; empty if it does not exist.
    public static func entries(_ path: String) throws(StorageError) -> [String] {
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
    public static func rename(_ from: String, to: String) throws(StorageError) {
        guard Glibc.rename(from, to) == 0 else { throw StorageError("rename", path: from) }
        try sync(parentPath(of: to))
    }

    public static func removeFile(_ path: String) throws(StorageError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw StorageError("remove", path: path) }
    }

    /// The last component of a path.
    static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func parentPath(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
