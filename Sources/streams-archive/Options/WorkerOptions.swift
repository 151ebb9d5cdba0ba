import ArgumentParser
import StreamsArchive

/// `--workers`, shared by the commands that read or write a day in parallel.
struct WorkerOptions: ParsableArguments {
    @Option(help: "Workers (default: one per core).")
    var workers: Int = System.coreCount

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    }
}
