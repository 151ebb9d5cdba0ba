import StreamsArchive

/// `timeline --format table`: one aligned row per event for people: time (UTC), channel, event, campaign;
/// control characters in event data are shown escaped, never sent to the terminal.
public enum TimelineTable {
    static let plan = FieldPlan(
        topLevel: ["event_time", "event_type", "event_code", "event_name"], nested: "event_attributes",
        nestedFields: ["campaign_name", "campaign_id", "campaign_channel"]
    )

    public static let header = ["time (UTC)", "channel", "event", "campaign"]

    /// The four cells of one stored line.
    static func row(_ line: [UInt8], scanner: FieldScanner) -> [String] {
        let cells = line.withUnsafeBytes { raw in
            scanner.scan(raw) { event -> [String] in
                func text(_ name: String) -> String? { event.text(plan.slot(name)).map { printable($0.description) } }
                let time = event.integer(plan.slot("event_time")).map(timestamp) ?? "?"
                let code = text("event_code") ?? "?"
                let channel = Channel.resolve(eventType: text("event_type"), eventCode: code, campaignChannel: text("campaign_channel"))
                return [time, channel.rawValue, text("event_name") ?? code, text("campaign_name") ?? text("campaign_id") ?? ""]
            }
        }
        return cells ?? ["?", "?", "(unreadable line)", ""]
    }

    /// `text` safe for a terminal: control characters (C0, DEL, C1: ESC sequences, CR, LF, tab) are shown as
    /// `\u{…}` escapes, so event data can neither move the cursor nor break a row.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Rows padded into columns, the header first.
    public static func render(_ lines: [[UInt8]]) -> [String] {
        let scanner = FieldScanner(plan: plan)
        let rows = [header] + lines.map { row($0, scanner: scanner) }
        let widths = (0..<header.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }
    }

    /// `YYYY-MM-DD HH:MM:SS` for epoch seconds.
    static func timestamp(_ seconds: Int64) -> String {
        let date = UTCDate(epochSeconds: seconds)
        let second = seconds - date.startEpochSeconds
        return "\(date) \(UTCDate.pad(second / 3600, 2)):\(UTCDate.pad(second % 3600 / 60, 2)):\(UTCDate.pad(second % 60, 2))"
    }
}
