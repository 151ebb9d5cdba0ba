import ArgumentParser
import StreamsArchive

/// The option every archive command shares.
struct RootOptions: ParsableArguments {
    @Option(name: .long, help: "The archive's root directory.")
    var root: String = "./archive"

    var layout: ArchiveLayout { ArchiveLayout(root: root) }

    func validate() throws {
        guard !root.isEmpty else { throw ValidationError("--root must not be empty") }
    }
}
