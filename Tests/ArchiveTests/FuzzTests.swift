import Foundation
import StreamsArchive
import Testing

@Suite("fuzzing the envelope parser and the gzip decoders")
struct FuzzTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test("libFuzzer (swiftc -sanitize=fuzzer,address) runs 45 s on the corpus without a crash, a leak or a broken property")
    func fuzzForAFixedBudget() throws {
        let run = try ProcessRunner.run("/bin/sh", ["\(Self.repository)/Fuzz/run.sh", "45"])
        #expect(run.status == 0, Comment(rawValue: String(run.stderr.suffix(3000))))
        #expect(run.stderr.contains("Done") && run.stderr.contains("stat::number_of_executed_units"))
    }

    /// Every input in Fuzz/corpus (seeds, and any crash the fuzzer ever found) through the same checks, in the test build.
    @Test("every corpus input is parsed or refused cleanly, and what is accepted is one valid JSON object per event")
    func corpusRegressions() throws {
        let corpus = "\(Self.repository)/Fuzz/corpus"
        let names = try FileManager.default.contentsOfDirectory(atPath: corpus)
        #expect(!names.isEmpty)
        for name in names {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(corpus)/\(name)")))
            let body = (try? GzipBody.decompress(bytes, limit: 1 << 20)) ?? bytes
            guard let batch = try? EnvelopeParser().parse(body, receivedAt: UTCInstant(millisecondsSinceEpoch: 1_773_500_000_000)) else { continue }
            for event in batch.accepted {
                let object = try JSONSerialization.jsonObject(with: Data(event.line)) as? NSDictionary
                #expect(object?["event_uuid"] is String && !event.line.contains(0x0A), "\(name)")
            }
        }
    }
}
