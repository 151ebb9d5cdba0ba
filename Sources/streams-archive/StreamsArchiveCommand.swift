import ArgumentParser
import Logging

/// `streams-archive`: receive, archive and report on a MoEngage Streams feed.
@main
struct StreamsArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streams-archive",
        abstract: "Receive a MoEngage Streams feed into a durable, partitioned gzip JSONL archive, and report on it.",
        discussion: """
            Exit codes: 0 success; 1 failure (the message says what to do); 2 damaged data found \
            (the report or check still ran), or data missing (a range report's dates not here: nothing \
            written); 64 bad command line; 75 another run holds the lock.
            """,
        subcommands: [
            Serve.self, Seal.self, Report.self, Timelines.self, Timeline.self, Verify.self, Retain.self,
            Ship.self, Restore.self, Nightly.self, Generate.self, Replay.self, Ingest.self, Demo.self,
        ]
    )

    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
