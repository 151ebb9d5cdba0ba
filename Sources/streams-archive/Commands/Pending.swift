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

struct Timelines: PendingCommand {
    static let configuration = CommandConfiguration(abstract: "Build per-user event timelines for a date.")
    static let arrivesWith = "the timelines"
    @OptionGroup var rootOptions: RootOptions
    @Option(help: "UTC date to build.") var date: UTCDate
}

struct Timeline: PendingCommand {
    static let configuration = CommandConfiguration(abstract: "Print one user's events in time order.")
    static let arrivesWith = "the timelines"
    @OptionGroup var rootOptions: RootOptions
    @Option(help: "The user's uid.") var uid: String
    @Option(help: "First UTC date.") var from: UTCDate?
    @Option(help: "Last UTC date.") var to: UTCDate?
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
