import Foundation
import Testing

@Suite("timelines over their memory budget")
struct TimelineSpillTests {
    static let date = GeneratedDay.date

    /// The published version's files, name → bytes; `_INDEX.json` without its inputs (inode and ctime of
    /// each file read differ between an archive and its copy).
    static func published(_ root: String) throws -> [String: Data] {
        let directory = "\(root)/timelines/date=\(date)"
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            var data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)"))
            if name == "_INDEX.json" { data = try JSONSerialization.data(withJSONObject: Expectations.withoutInputs(data), options: [.sortedKeys]) }
            files[name] = data
        }
        return files
    }

    @Test("buckets larger than the memory budget are sorted through runs on disk into the same files as in memory; nothing left behind")
    func spilledBucketsAreByteIdentical() throws {
        let day = try GeneratedDay()
        let copy = day.directory.file("unconstrained")
        #expect(try ProcessRunner.run("cp", ["-a", day.root, copy]).status == 0)
        let spilled = try ProcessRunner.archive(["timelines", "--root", day.root, "--date", Self.date, "--memory-budget", "64K"])
        #expect(spilled.status == 0, Comment(rawValue: spilled.stderr))
        #expect(spilled.stderr.range(of: #" [1-9][0-9]* sorted through the disk"#, options: .regularExpression) != nil, Comment(rawValue: spilled.stderr))
        let inMemory = try ProcessRunner.archive(["timelines", "--root", copy, "--date", Self.date])
        #expect(inMemory.stderr.contains(" 0 sorted through the disk"), Comment(rawValue: inMemory.stderr))
        let (ours, theirs) = try (Self.published(day.root), Self.published(copy))
        #expect(ours.count > 10 && Set(ours.keys) == Set(theirs.keys))
        for (name, bytes) in ours { #expect(bytes == theirs[name], "\(name)") }
        let hidden = try FileManager.default.contentsOfDirectory(atPath: "\(day.root)/timelines").filter { $0.hasPrefix(".date=") && !$0.hasSuffix(".lock") }
        #expect(hidden.count == 1, "only the published version: \(hidden)")
        #expect(day.directory.files(under: "archive/timelines") { $0.contains(".run") || $0 == ".spill" }.isEmpty)
    }

    @Test("kill -9 of a timelines build while it sorts buckets through the disk, then a re-run: the same files as in memory, no leftovers", arguments: [20, 200])
    func killedSpillingBuild(write occurrence: Int) throws {
        let day = try GeneratedDay()
        let copy = day.directory.file("unconstrained")
        #expect(try ProcessRunner.run("cp", ["-a", day.root, copy]).status == 0)
        #expect(try ProcessRunner.archive(["timelines", "--root", copy, "--date", Self.date]).status == 0)
        let killed = try ProcessRunner.run(
            "strace", ["-f", "-o", "/dev/null", "-e", "inject=write:signal=KILL:when=\(occurrence)", ProcessRunner.streamsArchive, "timelines", "--root", day.root,
                       "--date", Self.date, "--memory-budget", "64K", "--workers", "1"]
        )
        #expect(killed.status != 0, "the kill landed")
        let rerun = try ProcessRunner.archive(["timelines", "--root", day.root, "--date", Self.date, "--memory-budget", "64K", "--workers", "1"])
        #expect(rerun.status == 0, Comment(rawValue: rerun.stderr))
        let (ours, theirs) = try (Self.published(day.root), Self.published(copy))
        #expect(Set(ours.keys) == Set(theirs.keys))
        for (name, bytes) in ours { #expect(bytes == theirs[name], "\(name)") }
        let hidden = try FileManager.default.contentsOfDirectory(atPath: "\(day.root)/timelines").filter { $0.hasPrefix(".date=") && !$0.hasSuffix(".lock") }
        #expect(hidden.count == 1, "only the published version: \(hidden)")
    }
}
