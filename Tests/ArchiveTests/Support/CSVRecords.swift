/// Splits RFC 4180 text into records of fields, independently of the writer under test.
enum CSVRecords {
    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = [], record: [String] = [], field = ""
        var quoted = false, wasQuoted = false
        var characters = Array(text.unicodeScalars)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { field.unicodeScalars.append(characters.removeFirst()) } else { quoted = false }
                } else {
                    field.unicodeScalars.append(character)
                }
            } else if character == "\"" && field.isEmpty && !wasQuoted {
                quoted = true
                wasQuoted = true
            } else if character == "," {
                record.append(field)
                field = ""
                wasQuoted = false
            } else if character == "\r" && characters.first == "\n" {
                characters.removeFirst()
                record.append(field)
                records.append(record)
                record = []
                field = ""
                wasQuoted = false
            } else {
                field.unicodeScalars.append(character)
            }
        }
        return records
    }
}
