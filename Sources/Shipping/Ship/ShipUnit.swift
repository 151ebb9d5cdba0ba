import StreamsArchive

/// One directory shipped as a whole and recorded by one `_SHIPPED.json`: a sealed hour, a date's report, or a
/// date's rejected input. Its objects are in upload order: data first, then what describes it (the manifest,
/// then `_SUCCESS`), so a reader of the bucket who sees a marker also sees what it marks.
struct ShipUnit: Sendable {
    enum Kind: Sendable, Equatable {
        case hour(PartitionKey)
        case report(UTCDate)
        case rejected(UTCDate)
    }

    let kind: Kind
    /// The local directory.
    let directory: String
    /// Its path under the root.
    let relativeDirectory: String
    /// Its objects' path under the destination: the same as under the root, but for a report, which goes under
    /// `reports/date=D/root=<root>/` (each root's report covers what that root received, and several roots
    /// ship into one bucket).
    let keyDirectory: String

    var description: String { relativeDirectory }

    static let reportRootPrefix = "root="

    /// `reports/date=D/root=R`: where root R's report of `date` goes in the bucket, relative to the destination.
    static func reportKeyDirectory(_ date: UTCDate, root: String) -> String { "reports/\(date.directoryName)/\(reportRootPrefix)\(root)" }

    /// The root a report key's `root=R` component names; nil for any other component.
    static func reportRoot(_ component: Substring) -> RootIdentity? {
        component.hasPrefix(reportRootPrefix) ? RootIdentity(String(component.dropFirst(reportRootPrefix.count))) : nil
    }

    /// A rebuilt report replaces the objects of the one shipped before (the bucket keeps the current report);
    /// sealed hours and rejected input only ever add objects.
    var replacesEarlierObjects: Bool {
        if case .report = kind { return true }
        return false
    }

    /// A sealed hour holds its shared lock while it ships, so no seal swaps its files mid-upload; reports and
    /// rejected input are replaced file by file atomically, and a file that changes mid-upload fails its checksum.
    var lockPath: String? {
        if case .hour = kind { return directory }
        return nil
    }
}
