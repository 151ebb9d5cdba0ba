import Foundation
import Logging
import StreamsArchive

/// A real archive root in a test directory with a writer on it.
struct ArchiveFixture {
    let directory: TestDirectory
    let layout: ArchiveLayout
    let identity: WriterIdentity
    let writer: PartitionWriter

    init(_ name: String = #function, options: PartitionWriter.Options = .init()) throws {
        directory = TestDirectory(name)
        layout = ArchiveLayout(root: directory.path + "/archive")
        identity = try WriterIdentity(layout: layout)
        writer = try PartitionWriter(layout: layout, identity: identity, options: options, logger: Logger(label: "test"))
    }

    /// Every line of every finished and in-progress file under events/, read with the system's zcat.
    func linesViaZcat(includeOpen: Bool = true) throws -> [String] {
        let files = directory.files(under: "archive/events") { name in
            ArchiveFileName.isFinished(name) || (includeOpen && ArchiveFileName.isInProgress(name))
        }
        guard !files.isEmpty else { return [] }
        let output = try ProcessRunner.run("zcat", files)
        precondition(output.status == 0, output.stderr)
        return output.text.split(separator: "\n").map(String.init)
    }
}
