import ArgumentParser
import StreamsArchive

/// The option every archive command shares.
struct RootOptions: ParsableArguments {
    @Option(name: .long, help: "The archive's root directory.")
    var root: String = "./archive"

    var layout: ArchiveLayout { ArchiveLayout(root: root) }

    /// Fails with a message that says what to do when `--root` holds no archive (no events/ directory).
    func requireArchive() throws {
        guard Directory.exists(layout.eventsDirectory) else {
            throw CommandFailure("no archive at \(root) (no events/ directory): pass --root, or run serve or ingest first")
        }
    }

    func validate() throws {
        guard !root.isEmpty else { throw ValidationError("--root must not be empty") }
    }
}
