import Glibc
import Logging

/// Appends lines to partition files durably, one gzip member per partition per commit (group commit).
///
/// Lines are staged in memory; `commit` compresses each partition's lines into one member, writes them all,
/// then fsyncs every touched file — and the directory of any file it created — before it returns. Nothing
/// staged is durable until `commit` returns, and a failed commit leaves every file as it was before.
///
/// At most `Options.maxOpenFiles` descriptors are held, however many hours a commit touches: before opening
/// one more, the least recently used file is fsynced and its descriptor closed (it stays in progress and is
/// reopened when next appended to). A batch spread over thousands of hours therefore never exhausts the
/// process's descriptors, which the HTTP server needs too.
///
/// Not thread-safe: one owner (a task, an actor or a thread) drives it.
package final class PartitionWriter {
    package struct Options: Sendable {
        /// zlib level for members; sealing recompresses at 9 later.
        package var level: Int32
        /// A file is finished once it reaches this many bytes.
        package var maxFileBytes: Int64
        /// A file is finished once its hour has ended and nothing was appended for this long.
        package var idle: Duration

        /// Most partition files held open at once; the default is a quarter of the descriptor limit
        /// (`RLIMIT_NOFILE`), leaving the rest to connections.
        package var maxOpenFiles: Int

        package init(level: Int32 = 6, maxFileBytes: Int64 = 256 << 20, idle: Duration = .seconds(300), maxOpenFiles: Int = Options.defaultMaxOpenFiles) {
            self.level = level
            self.maxFileBytes = maxFileBytes
            self.idle = idle
            self.maxOpenFiles = max(1, maxOpenFiles)
        }

        package static var defaultMaxOpenFiles: Int { max(8, System.descriptorLimit / 4) }
    }

    /// What one commit made durable.
    package struct CommitReport: Sendable {
        package var lines = 0
        package var files = 0
        package var uncompressedBytes = 0
        package var compressedBytes = 0
    }

    package let layout: ArchiveLayout
    package let identity: WriterIdentity
    package let options: Options
    private let logger: Logger
    /// One encoder per worker: a commit compresses its partitions' members on all cores.
    private let encoders: [GzipMemberEncoder]
    private var files: [PartitionDirectory: InProgressFile] = [:]
    private var unsyncedDirectories: Set<String> = []
    private var staged: [PartitionDirectory: [UInt8]] = [:]
    private var stagedLines = 0
    private var sequence = 0
    /// Descriptors held by `files` (suspended files hold none).
    private var openDescriptors = 0
    /// Counts appends, for least-recently-used order.
    private var uses = 0
    /// Files whose roll-back failed; finished (after repair) at the next maintenance.
    private var abandoned: [String] = []

    package init(layout: ArchiveLayout, identity: WriterIdentity, options: Options = Options(), logger: Logger) throws {
        self.layout = layout
        self.identity = identity
        self.options = options
        self.logger = logger
        encoders = try (0..<max(1, min(4, System.coreCount))).map { _ in try GzipMemberEncoder(level: options.level) }
    }

    package var openFileCount: Int { files.count }
    /// Descriptors held now; never more than `options.maxOpenFiles` between calls.
    package var openDescriptorCount: Int { openDescriptors }
    package var hasStagedLines: Bool { stagedLines > 0 }

    /// Adds one line (without newline) to what the next commit writes to `directory`.
    package func stage(_ line: some Collection<UInt8>, in directory: PartitionDirectory) {
        staged[directory, default: []].append(contentsOf: line)
        staged[directory]!.append(UInt8(ascii: "\n"))
        stagedLines += 1
    }

    /// Forgets staged lines without writing them.
    package func discardStaged() {
        staged.removeAll(keepingCapacity: true)
        stagedLines = 0
    }

    /// Writes and fsyncs everything staged. On error nothing staged is kept and every file is as before.
    @discardableResult
    package func commit(now: UTCInstant) throws(StorageError) -> CommitReport {
        defer { discardStaged() }
        var report = CommitReport()
        guard stagedLines > 0 else { return report }
        report.lines = stagedLines
        let directories = staged.keys.sorted(by: { $0.relativePath < $1.relativePath })
        let members = try compress(directories)
        var touched: [(file: InProgressFile, before: Int64)] = []
        do {
            for (directory, member) in zip(directories, members) {
                let file = try openFile(for: directory, now: now)
                touched.append((file, file.size))
                try withDescriptor(file) { () throws(StorageError) in try file.append(member: member, now: now) }
                report.uncompressedBytes += staged[directory]!.count
                report.compressedBytes += member.count
            }
            try syncAll(touched.map(\.file).filter(\.needsSync))
            for directory in unsyncedDirectories.sorted() { try Directory.sync(directory) }
            unsyncedDirectories.removeAll()
        } catch {
            rollBack(touched)
            throw error
        }
        report.files = touched.count
        for (file, _) in touched where file.size >= options.maxFileBytes {
            try finish(file)
        }
        return report
    }

    /// One member per directory, compressed in parallel. A zlib failure fails the commit before any write.
    private func compress(_ directories: [PartitionDirectory]) throws(StorageError) -> [[UInt8]] {
        let inputs = directories.map { staged[$0]! }
        let members = Parallel.map(inputs.count, workers: encoders.count) { worker, index in
            Result { () throws(CodecError) in try encoders[worker].member(of: inputs[index]) }
        }
        return try members.enumerated().map { (index, member) throws(StorageError) in
            switch member {
            case .success(let bytes): return bytes
            case .failure(let error): throw StorageError("compress a member for", path: layout.path(directories[index]), reason: error.message)
            }
        }
    }

    /// fsyncs files concurrently, so the filesystem can fold them into fewer journal commits.
    private func syncAll(_ files: [InProgressFile]) throws(StorageError) {
        let failures = Parallel.map(files.count, workers: files.count) { _, index -> StorageError? in
            do throws(StorageError) { try files[index].sync() } catch { return error }
            return nil
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
    }

    /// Finishes files whose hour has ended and that had no append for `Options.idle`; retries abandoned files.
    package func finishIdle(now: UTCInstant) throws(StorageError) {
        for file in files.values.sorted(by: { $0.path < $1.path })
        where now >= file.directory.closesAt && now - file.lastAppend >= options.idle {
            try finish(file)
        }
        try finishAbandoned()
    }

    /// Finishes every open file (shutdown). Staged lines that were never committed are dropped.
    package func finishAll() throws(StorageError) {
        discardStaged()
        for file in files.values.sorted(by: { $0.path < $1.path }) { try finish(file) }
        try finishAbandoned()
    }

    private func openFile(for directory: PartitionDirectory, now: UTCInstant) throws(StorageError) -> InProgressFile {
        if let file = files[directory] { return file }
        let directoryPath = layout.path(directory)
        try Directory.createDurably(directoryPath, below: layout.root)
        sequence += 1
        let name = ArchiveFileName.inProgress(writer: identity.id, sequence: sequence)
        try identity.record(directory.relativePath + "/" + name)
        try makeRoom()
        let file = try InProgressFile.create(path: directoryPath + "/" + name, directory: directory, now: now)
        openDescriptors += 1
        files[directory] = file
        unsyncedDirectories.insert(directoryPath)
        return file
    }

    /// Runs `body` (which may reopen `file`'s descriptor) within the descriptor budget, and marks the file used.
    private func withDescriptor(_ file: InProgressFile, _ body: () throws(StorageError) -> Void) throws(StorageError) {
        uses += 1
        file.lastUse = uses
        if !file.isOpen { try makeRoom() }
        let wasOpen = file.isOpen
        defer { if file.isOpen != wasOpen { openDescriptors += file.isOpen ? 1 : -1 } }
        try body()
    }

    /// Suspends least recently used files (fsync, then close) until one more descriptor fits the budget: a
    /// quarter of the budget at a time, their fsyncs issued together, so a commit into many hours does not
    /// wait for one fsync per new file.
    private func makeRoom() throws(StorageError) {
        guard openDescriptors >= options.maxOpenFiles else { return }
        let open = files.values.filter(\.isOpen).sorted { $0.lastUse < $1.lastUse }
        let victims = Array(open.prefix(max(openDescriptors - options.maxOpenFiles + 1, options.maxOpenFiles / 4)))
        try syncAll(victims.filter(\.needsSync))
        for file in victims {
            try file.suspend()
            openDescriptors -= 1
        }
    }

    /// Renames a file to its finished name (or removes it if it never got a member).
    private func finish(_ file: InProgressFile) throws(StorageError) {
        if file.size == 0 {
            try Directory.removeFile(file.path)
        } else {
            try Directory.rename(file.path, to: ArchiveFileName.finishedPath(forInProgress: file.path))
        }
        forget(file)
    }

    private func forget(_ file: InProgressFile) {
        if file.isOpen { openDescriptors -= 1 }
        files[file.directory] = nil
    }

    /// Cuts every touched file back to its size before the commit; a file the commit created goes again, so a
    /// failed commit leaves neither bytes nor empty files (nor their descriptors) behind.
    private func rollBack(_ touched: [(file: InProgressFile, before: Int64)]) {
        for (file, before) in touched {
            do {
                try withDescriptor(file) { () throws(StorageError) in try file.rollBack(to: before) }
                if before == 0 { try finish(file) }
            } catch {
                logger.error("could not roll back a failed commit; the file will be repaired", metadata: ["file": "\(file.path)", "error": "\(error)"])
                forget(file)
                abandoned.append(file.path)
            }
        }
    }

    private func finishAbandoned() throws(StorageError) {
        while let path = abandoned.first {
            do {
                _ = try InProgressFile.cutToLastCompleteMember(path)
            } catch let error as StorageError {
                throw error
            } catch {
                throw StorageError("repair", path: path, code: EIO)
            }
            try Directory.rename(path, to: ArchiveFileName.finishedPath(forInProgress: path))
            abandoned.removeFirst()
        }
    }
}
