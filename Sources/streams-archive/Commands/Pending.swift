import ArgumentParser
import StreamsArchive

/// A command whose work lands with a later issue: it documents its options now and exits 69 until then.
protocol PendingCommand: ParsableCommand {
    static var arrivesWith: String { get }
}

extension PendingCommand {
    func run() throws {
        let name = Self.configuration.commandName ?? String(describing: Self.self).lowercased()
        Terminal.error("\(name) is not available yet in this build; it arrives with \(Self.arrivesWith).")
        throw ExitCode(CommandFailure.notAvailable)
    }
}

struct Seal: PendingCommand {
    static let configuration = CommandConfiguration(abstract: "Compact closed hours: dedup by event_uuid, sort, write manifests.")
    static let arrivesWith = "the nightly pipeline"
    @OptionGroup var rootOptions: RootOptions
}

struct Verify: PendingCommand {
    static let configuration = CommandConfiguration(abstract: "Check every gzip member and manifest; non-zero exit on damage.")
    static let arrivesWith = "the nightly pipeline"
    @OptionGroup var rootOptions: RootOptions
    @Option(help: "Only this UTC date.") var date: UTCDate?
}

struct Retain: PendingCommand {
    static let configuration = CommandConfiguration(abstract: "Remove raw partitions older than N days once sealed and reported.")
    static let arrivesWith = "the nightly pipeline"
    @OptionGroup var rootOptions: RootOptions
    @Option(help: "Days of raw partitions to keep.") var keepDays: Int
}

struct Nightly: PendingCommand {
    static let configuration = CommandConfiguration(abstract: "Run seal → report → timelines → verify (→ retain): what cron runs.")
    static let arrivesWith = "the nightly pipeline"
    @OptionGroup var rootOptions: RootOptions
    @Option(help: "UTC date (default: yesterday).") var date: UTCDate?
}
