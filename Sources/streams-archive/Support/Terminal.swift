import Foundation

/// Writes for people: errors and summaries to stderr, and progress only when stderr is a terminal.
enum Terminal {
    static var isInteractive: Bool { isatty(STDERR_FILENO) == 1 }

    static func error(_ line: String) {
        write(STDERR_FILENO, "error: \(line)\n")
    }

    static func summary(_ line: String) {
        write(STDERR_FILENO, line + "\n")
    }

    /// A line on stdout, written at once (unbuffered) so a reading process sees it immediately.
    static func output(_ line: String) {
        write(STDOUT_FILENO, line + "\n")
    }

    /// Rewrites one status line in place on a terminal; prints nothing otherwise.
    static func progress(_ line: String) {
        guard isInteractive else { return }
        write(STDERR_FILENO, "\r\u{1B}[2K" + line)
    }

    static func endProgress() {
        guard isInteractive else { return }
        write(STDERR_FILENO, "\r\u{1B}[2K")
    }

    private static func write(_ descriptor: Int32, _ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var done = 0
            while done < bytes.count {
                let n = Foundation.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
                if n <= 0 { return }
                done += n
            }
        }
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1e6)
    }
}
