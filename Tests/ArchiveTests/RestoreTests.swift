import Foundation
import Testing

@Suite("restore and verify --remote", .serialized)
struct RestoreTests {
    @Test("verify --remote passes on a shipped day, then exits 2 naming an object boto3 altered; restore refuses that object and brings back the rest")
    func alteredObjectIsFoundAndRefused() throws {
        let day = try ShippableDay()
        #expect(try day.ship().status == 0)
        let clean = try ProcessRunner.archive(["verify", "--root", day.root, "--remote", day.destination], environment: day.server.environment)
        #expect(clean.status == 0, Comment(rawValue: clean.stderr))
        #expect(clean.stderr.contains("no problems"))

        let sealed = try #require(try day.server.objects(under: "\(day.prefix)/events/date=\(GeneratedDay.date)/channel=email/hour=03").keys.first { $0.contains("/sealed-") })
        #expect(try day.server.oracle(["alter", sealed]).status == 0)
        let verify = try ProcessRunner.archive(["verify", "--root", day.root, "--remote", day.destination], environment: day.server.environment)
        #expect(verify.status == 2)
        #expect(verify.stderr.contains("damaged: \(sealed): read back with sha256"), Comment(rawValue: verify.stderr))
        #expect(verify.stderr.contains("1 PROBLEMS"), Comment(rawValue: verify.stderr))

        let fresh = day.day.directory.file("restored")
        let restore = try ProcessRunner.archive(["restore", "--root", fresh, "--from", day.destination, "--date", GeneratedDay.date], environment: day.server.environment)
        #expect(restore.status == 2)
        #expect(restore.stderr.contains("REFUSED \(sealed): downloaded"), Comment(rawValue: restore.stderr))
        #expect(!FileManager.default.fileExists(atPath: "\(fresh)/events/date=\(GeneratedDay.date)/channel=email/hour=03/_SUCCESS"))
        let hidden = TestDirectory.existing(fresh).files(under: "events") { $0.hasPrefix(".") }
        #expect(hidden.isEmpty, "no temporary left: \(hidden)")
        let restoredHours = TestDirectory.existing(fresh).files(under: "events") { $0 == "_SUCCESS" }.count
        let shippedHours = day.day.directory.files(under: "archive/events/date=\(GeneratedDay.date)") { $0 == "_SUCCESS" }.count
        #expect(restoredHours == shippedHours - 1)
    }

    @Test("restore round trip: a shipped day removed by retain comes back; its report rebuilt from it is byte-identical and verify passes")
    func roundTrip() throws {
        let day = try ShippableDay()
        let reports = "\(day.root)/reports/date=\(GeneratedDay.date)"
        let tables = ["campaign_events.csv", "campaigns.csv", "campaign_breakdown.csv"]
        let original = try tables.map { try Data(contentsOf: URL(fileURLWithPath: "\(reports)/\($0)")) }
        #expect(try day.ship().status == 0)
        let retain = try ProcessRunner.archive(["retain", "--root", day.root, "--keep-days", "1", "--ship-to", day.destination], environment: day.server.environment)
        #expect(retain.status == 0, Comment(rawValue: retain.stderr))
        #expect(day.day.directory.files(under: "archive/events/date=\(GeneratedDay.date)") { $0.hasPrefix("sealed-") }.isEmpty, "the day's raw events are gone")

        let restore = try ProcessRunner.archive(["restore", "--root", day.root, "--from", day.destination, "--date", GeneratedDay.date], environment: day.server.environment)
        #expect(restore.status == 0, Comment(rawValue: restore.stderr))
        #expect(restore.stderr.contains("retention record removed"), Comment(rawValue: restore.stderr))
        let report = try ProcessRunner.archive(["report", "--root", day.root, "--date", GeneratedDay.date])
        #expect(report.status == 0, Comment(rawValue: report.stderr))
        for (table, bytes) in zip(tables, original) {
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(reports)/\(table)")) == bytes, "\(table)")
        }
        let verify = try ProcessRunner.archive(["verify", "--root", day.root, "--date", GeneratedDay.date])
        #expect(verify.status == 0, Comment(rawValue: verify.stderr))
        let again = try day.ship()
        // Only the rebuilt report goes up again (its report.json records the restored files' new stamps).
        #expect(again.stderr.contains(" 1 directories shipped") && again.stderr.contains(" 0 already there"), "a restored day's hours are not shipped again: \(again.stderr)")
    }

    @Test("restore killed with SIGKILL part-way (at its 6th rename, in the second hour) shows only whole hours; a re-run restores the rest and leaves nothing hidden")
    func killedRestore() throws {
        let day = try ShippableDay()
        #expect(try day.ship().status == 0)
        let fresh = day.day.directory.file("restored")
        let killed = try ProcessRunner.run(
            "strace", ["-f", "-o", "/dev/null", "-e", "inject=rename,renameat,renameat2:signal=KILL:when=6", ProcessRunner.streamsArchive, "restore", "--root", fresh,
                       "--from", day.destination, "--date", GeneratedDay.date],
            environment: day.server.environment
        )
        #expect(killed.status != 0, "the kill landed")
        let visible = TestDirectory.existing(fresh).files(under: "events") { !$0.hasPrefix(".") }.filter { !$0.contains("/.") }
        let hours = Set(visible.map { ($0 as NSString).deletingLastPathComponent })
        let shipped = day.day.directory.files(under: "archive/events/date=\(GeneratedDay.date)") { $0 == "_SUCCESS" }.count
        #expect(hours.count < 3, "killed in the first hours: \(hours)")
        for hour in hours {
            for name in ["_MANIFEST.json", "_SUCCESS", "_SHIPPED.json"] { #expect(FileManager.default.fileExists(atPath: "\(hour)/\(name)"), "\(hour)/\(name)") }
        }
        let rerun = try ProcessRunner.archive(["restore", "--root", fresh, "--from", day.destination, "--date", GeneratedDay.date], environment: day.server.environment)
        #expect(rerun.status == 0, Comment(rawValue: rerun.stderr))
        #expect(rerun.stderr.contains("\(hours.count) already here"), Comment(rawValue: rerun.stderr))
        #expect(TestDirectory.existing(fresh).files(under: "events") { $0 == "_SUCCESS" }.count == shipped)
        #expect(TestDirectory.existing(fresh).files(under: "events").filter { $0.contains("/.") }.isEmpty, "no staging directory left")
        #expect(try ProcessRunner.archive(["verify", "--root", fresh, "--date", GeneratedDay.date]).status == 0)
    }

    @Test("verify --remote checks a shipped report's objects against the SHA-256 its record holds: one altered by boto3 (same size) is named, exit 2")
    func alteredReportIsFound() throws {
        let day = try ShippableDay()
        #expect(try day.ship().status == 0)
        let key = "\(day.prefix)/reports/date=\(GeneratedDay.date)/root=\(try day.rootID)/campaigns.csv"
        #expect(try day.server.oracle(["alter", key]).status == 0)
        let verify = try ProcessRunner.archive(["verify", "--root", day.root, "--remote", day.destination, "--date", GeneratedDay.date], environment: day.server.environment)
        #expect(verify.status == 2)
        #expect(verify.stderr.contains("damaged: \(key): read back with sha256") && verify.stderr.contains("_SHIPPED.json recorded"), Comment(rawValue: verify.stderr))
    }

    @Test("a report restored into another root is the shipped root's until rebuilt: shipping it uploads nothing; rebuilt, it ships under the restoring root's own key and the original's objects stay as they were")
    func restoredReportKeepsItsOwner() throws {
        let day = try ShippableDay()
        #expect(try day.ship().status == 0)
        let reports = "\(day.prefix)/reports/date=\(GeneratedDay.date)/"
        let original = try day.server.objects(under: "\(reports)root=\(try day.rootID)/")
        let fresh = day.day.directory.file("replacement")
        let restore = try ProcessRunner.archive(["restore", "--root", fresh, "--from", day.destination, "--date", GeneratedDay.date], environment: day.server.environment)
        #expect(restore.status == 0, Comment(rawValue: restore.stderr))
        #expect(FileManager.default.fileExists(atPath: "\(fresh)/reports/date=\(GeneratedDay.date)/campaign_events.csv"))
        let ship = try ProcessRunner.archive(["ship", "--root", fresh, "--to", day.destination], environment: day.server.environment)
        #expect(ship.status == 0 && ship.stderr.contains(" 0 objects uploaded"), Comment(rawValue: ship.stderr))

        #expect(try ProcessRunner.archive(["report", "--root", fresh, "--date", GeneratedDay.date]).status == 0)
        let again = try ProcessRunner.archive(["ship", "--root", fresh, "--to", day.destination], environment: day.server.environment)
        #expect(again.status == 0, Comment(rawValue: again.stderr))
        let freshID = try String(contentsOfFile: "\(fresh)/_root-id", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(freshID != (try day.rootID))
        #expect(try day.server.objects(under: "\(reports)root=\(freshID)/").keys.contains { $0.hasSuffix("/report.json") })
        #expect(try day.server.objects(under: "\(reports)root=\(try day.rootID)/").mapValues(\.sha256) == original.mapValues(\.sha256))
        let verify = try ProcessRunner.archive(["verify", "--root", day.root, "--remote", day.destination], environment: day.server.environment)
        #expect(verify.status == 0, Comment(rawValue: verify.stderr))
    }
}
