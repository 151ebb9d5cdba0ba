import Foundation
import Testing

/// verify's checks of a sealed file's order and uniqueness, and the memory budget they keep to.
@Suite("verify: sealed order within the memory budget")
struct VerifySealedOrderTests {
    /// Rewrites the hour's sealed file with `lines` (gzip -9) and its manifest to match, as an older seal might
    /// have left it.
    static func rewriteSealed(_ hour: SkewedHour, _ transform: ([Substring]) -> [Substring]) throws {
        let sealed = try #require(hour.directory.files(under: "archive/events") { $0.hasPrefix("sealed-") }.first)
        let lines = transform(try ProcessRunner.run("zcat", [sealed]).text.split(separator: "\n"))
        let rewritten = try ProcessRunner.run("gzip", ["-9", "-n", "-c"], input: Data((lines.joined(separator: "\n") + "\n").utf8)).stdout
        try rewritten.write(to: URL(fileURLWithPath: sealed))
        let manifestPath = (sealed as NSString).deletingLastPathComponent + "/_MANIFEST.json"
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as! [String: Any]
        var file = (manifest["files"] as! [[String: Any]])[0]
        file["bytes"] = rewritten.count
        file["events"] = lines.count
        file["sha256"] = String(try ProcessRunner.run("sha256sum", [sealed]).text.prefix(64))
        manifest["files"] = [file]
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: manifestPath))
    }

    @Test("a sealed file whose lines are out of (event_time, event_uuid) order is damage: exit 2 naming the line")
    func outOfOrderSealedFileIsFound() throws {
        let hour = try SkewedHour(events: 2_000)
        #expect(try ProcessRunner.archive(["seal", "--root", hour.root, "--grace", "0"]).status == 0)
        try Self.rewriteSealed(hour) { Array($0.reversed()) }
        let verify = try ProcessRunner.archive(["verify", "--root", hour.root])
        #expect(verify.status == 2)
        #expect(verify.stderr.contains("of the decompressed data (event_time") && verify.stderr.contains("is out of sealed order"), Comment(rawValue: verify.stderr))
    }

    @Test("a sealed hour larger than the budget's uuid set is still checked for order, and the summary says so; a clean archive exits 0")
    func uuidSetFollowsTheBudget() throws {
        let hour = try SkewedHour(events: 20_000)
        #expect(try ProcessRunner.archive(["seal", "--root", hour.root, "--grace", "0"]).status == 0)
        let small = try ProcessRunner.archive(["verify", "--root", hour.root, "--memory-budget", "256K", "--workers", "1"])
        #expect(small.status == 0, Comment(rawValue: small.stderr))
        #expect(small.stderr.contains("(1 sealed files too large for the memory budget's uuid set"), Comment(rawValue: small.stderr))
        let ample = try ProcessRunner.archive(["verify", "--root", hour.root])
        #expect(ample.status == 0 && !ample.stderr.contains("too large for the memory budget"), Comment(rawValue: ample.stderr))
    }
}
