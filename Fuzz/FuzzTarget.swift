/// libFuzzer entry point over what the receiver does with untrusted bytes: the gzip request-body decoder,
/// the multi-member gzip decoder and line splitter the file reader uses, and the envelope parser.
///
/// Built by `Fuzz/run.sh` with `swiftc -sanitize=fuzzer,address` together with the sources it exercises (one
/// module, so internal types are reachable). Properties checked beyond "does not crash": every event the
/// parser accepts is one strictly valid JSON object line, and decoding never produces more than its limit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limit = 1 << 20

    if let inflated = try? GzipBody.decompress(bytes, limit: limit) {
        precondition(inflated.count <= limit, "decompressed past the limit")
        checkEnvelope(inflated)
    }
    checkEnvelope(bytes)

    if let decoder = try? GzipMemberDecoder() {
        var splitter = LineSplitter(maxLineBytes: 64 << 10)
        var lines = 0
        _ = try? bytes.withUnsafeBytes { raw in
            try decoder.decode(raw, onOutput: { chunk in try splitter.feed(chunk) { _ in lines += 1 } }, onMemberEnd: { end in
                precondition(end >= 0 && end <= raw.count, "member end outside the input")
            })
        }
    }
    return 0
}

private func checkEnvelope(_ body: [UInt8]) {
    guard let batch = try? EnvelopeParser().parse(body, receivedAt: UTCInstant(millisecondsSinceEpoch: 1_773_500_000_000)) else { return }
    for event in batch.accepted {
        precondition(!event.line.contains(0x0A), "an accepted event spans lines")
        guard let document = try? JSONScanner().document(event.line) else { preconditionFailure("an accepted event is not valid JSON") }
        precondition(document.kind(document.root) == .object, "an accepted event is not an object")
    }
}
