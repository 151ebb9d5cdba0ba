import ArgumentParser

/// A failure the user can act on: printed to stderr as one line, then the process exits with `code`.
struct CommandFailure: Error {
    static let failure: Int32 = 1
    static let damagedData: Int32 = 2
    /// Another run holds the lock (sysexits' EX_TEMPFAIL: try again later).
    static let busy: Int32 = 75

    let message: String
    let code: Int32

    init(_ message: String, code: Int32 = CommandFailure.failure) {
        self.message = message
        self.code = code
    }

    /// Runs `body`, turning any error into a one-line message on stderr and the right exit code.
    static func reporting<T>(_ command: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw exit(for: error, command: command) }
    }

    static func reportingAsync<T>(_ command: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw exit(for: error, command: command) }
    }

    private static func exit(for error: any Error, command: String) -> ExitCode {
        switch error {
        case let exit as ExitCode:
            return exit
        case let failure as CommandFailure:
            Terminal.error("\(command): \(failure.message)")
            return ExitCode(failure.code)
        default:
            Terminal.error("\(command): \(error)")
            return ExitCode(CommandFailure.failure)
        }
    }
}
