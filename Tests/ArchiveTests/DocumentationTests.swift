import Foundation
import Testing

/// What the README, docs/ and the scripts say about the tests is true of the tree: every test file they name
/// exists, and every `swift test --filter NAME` they give selects a suite or a test that exists.
@Suite("documentation names what exists")
struct DocumentationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// README.md, docs/*.md, Fuzz/run.sh, .ci/run and Jobs/*.sh, as text.
    static func documents() throws -> [(name: String, text: String)] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: "\(repository)/docs").filter { $0.hasSuffix(".md") }.map { "docs/\($0)" }
        let jobs = try FileManager.default.contentsOfDirectory(atPath: "\(repository)/Jobs").filter { $0.hasSuffix(".sh") }.map { "Jobs/\($0)" }
        return try (["README.md", "Fuzz/run.sh", ".ci/run"] + docs + jobs).map { name in
            (name, try String(contentsOfFile: "\(repository)/\(name)", encoding: .utf8))
        }
    }

    static func matches(_ pattern: String, in text: String) throws -> [String] {
        let regex = try NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    @Test("every test file the documents name exists")
    func namedTestFilesExist() throws {
        for (name, text) in try Self.documents() {
            for file in try Self.matches(#"(Tests/ArchiveTests/[A-Za-z0-9+]+\.swift)"#, in: text) {
                #expect(FileManager.default.fileExists(atPath: "\(Self.repository)/\(file)"), "\(name) names \(file)")
            }
        }
    }

    @Test("every --filter the documents give names a suite or a test")
    func filtersSelectSomething() throws {
        let tests = "\(Self.repository)/Tests/ArchiveTests"
        let sources = try FileManager.default.contentsOfDirectory(atPath: tests).filter { $0.hasSuffix(".swift") }
            .map { try String(contentsOfFile: "\(tests)/\($0)", encoding: .utf8) }.joined(separator: "\n")
        var filters = 0
        for (name, text) in try Self.documents() {
            for filter in try Self.matches(#"--filter ([A-Za-z][A-Za-z0-9]*)"#, in: text) {
                filters += 1
                // swift test's --filter is a pattern: a name that starts with it is selected.
                let declared = sources.contains("struct \(filter)") || sources.contains("func \(filter)")
                #expect(declared, "\(name) gives --filter \(filter), which no suite or test is called")
            }
        }
        #expect(filters > 10, "the documents give their evidence as --filter commands")
    }

    @Test("the README's test command is .ci/run, which installs into a virtual environment, Java when missing, then runs swift test")
    func readmeTestCommandIsCIRun() throws {
        let readme = try String(contentsOfFile: "\(Self.repository)/README.md", encoding: .utf8)
        let setup = try #require(readme.components(separatedBy: "## Set-up").dropFirst().first?.components(separatedBy: "\n## ").first)
        let blocks = try Self.matches(#"```sh\n([^`]*)```"#, in: setup).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(blocks.count == 2 && blocks.last == ".ci/run", "two set-up commands, the second .ci/run: \(blocks)")
        let script = try String(contentsOfFile: "\(Self.repository)/.ci/run", encoding: .utf8)
        let commands = script.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        #expect(commands.last == "swift test")
        #expect(commands.contains { $0.contains("python3 -m venv") } && commands.contains { $0.contains("$venv/bin/python3\" -m pip install") })
        #expect(!commands.contains { $0.hasPrefix("python3 -m pip") || $0.hasPrefix("pip") }, "nothing is installed into Debian's own python3")
        #expect(commands.contains { $0.contains("command -v java") && $0.contains("jre-headless") })
    }
}
