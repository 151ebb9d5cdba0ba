import Foundation
import Testing

/// zlib failing under us: every return code is checked, so a failed `deflate` is an error, not a loop.
///
/// A small preload library (compiled here with the clang that comes with Swift) stands between the binary and the
/// system's libz: from the Nth `deflate` call on it returns the chosen status without compressing, as a
/// corrupted stream state would. Before the checks, `Z_STREAM_ERROR` or `Z_BUF_ERROR` under `Z_FINISH`
/// spun forever.
@Suite("zlib failures are errors")
struct ZlibFaultTests {
    static let shim = #"""
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <stdlib.h>
        #include <zlib.h>
        static int calls;
        int deflate(z_streamp stream, int flush) {
            static int (*real)(z_streamp, int);
            if (!real) real = (int (*)(z_streamp, int))dlsym(RTLD_NEXT, "deflate");
            const char *from = getenv("ZLIB_FAULT_FROM"), *status = getenv("ZLIB_FAULT_STATUS");
            if (from && status && __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST) >= atoi(from)) return atoi(status);
            return real(stream, flush);
        }
        """#

    /// The preload library, built once per test in `directory`.
    static func buildShim(in directory: TestDirectory) throws -> String {
        let source = directory.file("zlib-fault.c"), library = directory.file("zlib-fault.so")
        try shim.write(toFile: source, atomically: true, encoding: .utf8)
        let compiled = try ProcessRunner.run("clang", ["-shared", "-fPIC", "-O1", "-o", library, source, "-ldl"])
        try #require(compiled.status == 0, Comment(rawValue: compiled.stderr))
        return library
    }

    @Test("ingest stops with zlib's error when deflate fails mid-run; what it committed before is whole and nothing after", arguments: [-2, -5])
    func ingestStopsOnDeflateFailure(status: Int) throws {
        let directory = TestDirectory()
        let library = try Self.buildShim(in: directory)
        let bodies = directory.file("bodies.jsonl")
        let generated = try ProcessRunner.archive(["generate", "--events", "20000", "--date", "2026-03-14", "--out", bodies])
        try #require(generated.status == 0, Comment(rawValue: generated.stderr))
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = library
        environment["ZLIB_FAULT_FROM"] = "200"
        environment["ZLIB_FAULT_STATUS"] = String(status)
        let root = directory.file("archive")
        let run = try ProcessRunner.run(
            "timeout", ["120", ProcessRunner.streamsArchive, "ingest", "--root", root, "--input", bodies, "--commit-every", "20", "--checkpoints"],
            environment: environment
        )
        #expect(run.status != 124, "ingest did not loop forever")
        #expect(run.status == 1, Comment(rawValue: run.stderr))
        #expect(run.stderr.contains("zlib's deflate failed (status \(status)"), Comment(rawValue: run.stderr))
        let committed = run.text.split(separator: "\n").last { $0.hasPrefix("committed ") }
        let events = try #require(committed.flatMap { $0.split(separator: "events=").last.flatMap { Int($0) } }, Comment(rawValue: run.text))
        let files = directory.files(under: "archive/events")
        #expect(!files.isEmpty)
        for file in files { #expect(try ProcessRunner.run("gzip", ["-t", file]).status == 0, "\(file) is whole") }
        let stored = try ProcessRunner.shell("cat \(files.map { "'\($0)'" }.joined(separator: " ")) | zcat | wc -l").text
        #expect(Int(stored.trimmingCharacters(in: .whitespacesAndNewlines)) == events, "exactly the committed events")
    }

    @Test("the receiver answers 503 when deflate fails, stays healthy, and stores nothing of the batch")
    func receiverAnswers503() throws {
        let directory = TestDirectory()
        let library = try Self.buildShim(in: directory)
        let root = directory.file("archive")
        let server = try ServerProcess(root: root, environment: ["LD_PRELOAD": library, "ZLIB_FAULT_FROM": "1", "ZLIB_FAULT_STATUS": "-2"])
        let reply = try server.post(Bodies.body([Bodies.event(uuid: "zlib-1"), Bodies.event(uuid: "zlib-2")]))
        #expect(reply.status == 503, Comment(rawValue: server.log))
        #expect(try server.connection().request("GET", "/healthz").status == 200)
        #expect(server.stop() == 0)
        let stored = directory.files(under: "archive/events")
        let lines = try stored.map { try ProcessRunner.run("zcat", [$0]).text }.joined()
        #expect(!lines.contains("zlib-1") && !lines.contains("zlib-2"))
        #expect(server.log.contains("zlib's deflate failed"), Comment(rawValue: server.log))
    }
}
