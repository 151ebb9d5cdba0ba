/// `verify` of `rejected/date=D/`: what the receiver could not archive, kept so nothing MoEngage sent is lost.
///
/// Per finished file: every gzip member's CRC-32 and length, and every line a record `RejectedRecord` writes:
/// strict JSON, an object, an integer `rejected_at` and a string `reason`. Files still being written are
/// skipped. Nothing here is sealed or has a manifest, so there is nothing else to compare.
enum RejectedVerifier {
    static func check(_ date: UTCDate, layout: ArchiveLayout) -> ArchiveVerifier.Summary {
        var summary = ArchiveVerifier.Summary()
        let directory = layout.rejectedDirectory(date)
        let names: [String]
        do { names = try Directory.entries(directory).filter(ArchiveFileName.isFinished) } catch {
            summary.findings.append(.init(path: directory, problem: "cannot be listed: \(error)"))
            return summary
        }
        let scanner = JSONScanner()
        var document = JSONDocument()
        for name in names {
            let file = "\(directory)/\(name)"
            var firstBadLine: Int64?
            let records = ArchiveVerifier.readLines(of: file, into: &summary) { line, offset in
                guard firstBadLine == nil else { return }
                let isRecord = (try? document.scan(line, with: scanner)) != nil && document.kind(document.root) == .object
                    && document.member(of: document.root, named: "rejected_at").flatMap(document.integer) != nil
                    && document.member(of: document.root, named: "reason").flatMap(document.string) != nil
                if !isRecord { firstBadLine = offset }
            }
            summary.rejectedRecords += records
            if let firstBadLine {
                summary.findings.append(
                    .init(path: file, problem: "a line at byte \(firstBadLine) of the decompressed data is not a rejection record (JSON object with rejected_at and reason)")
                )
            }
        }
        return summary
    }
}
