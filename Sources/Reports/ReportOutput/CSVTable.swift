/// Builds an RFC 4180 CSV file: CRLF after every record, fields quoted only when they hold a comma, a double
/// quote, a CR or an LF, quotes inside doubled (what Python's `csv` writes by default). Text is written as the
/// exact UTF-8 bytes MoEngage sent, without a byte-order mark, except that a cell starting with `=`, `+`, `-`,
/// `@`, a tab or a CR gets a leading `'`, as OWASP recommends against formula injection: a spreadsheet
/// would otherwise run a campaign name such as `=HYPERLINK(…)` as a formula. No number this project writes
/// starts with one of those (counts and rates are never negative), so only text can change.
struct CSVTable {
    /// First bytes a spreadsheet takes as the start of a formula.
    static let formulaStarts: Set<UInt8> = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D]

    private(set) var bytes: [UInt8] = []

    init(header: [String]) {
        row(header.map(ByteString.init))
    }

    mutating func row(_ fields: [ByteString]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            append(field.bytes)
        }
        bytes.append(contentsOf: [0x0D, 0x0A])
    }

    private mutating func append(_ field: [UInt8]) {
        let field = field.first.map(Self.formulaStarts.contains) == true ? [UInt8(ascii: "'")] + field : field
        let needsQuotes = field.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            bytes.append(contentsOf: field)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        for byte in field {
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
