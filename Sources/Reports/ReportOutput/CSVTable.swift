/// Builds an RFC 4180 CSV file: CRLF after every record, fields quoted only when they hold a comma, a double
/// quote, a CR or an LF, quotes inside doubled (what Python's `csv` writes by default). Text is written as the
/// exact UTF-8 bytes MoEngage sent, without a byte-order mark.
struct CSVTable {
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
