import StreamsArchive

/// The batch side of streams-archive: scanning a day's partitions and turning them into the campaign
/// report and per-user timelines. The scan, report and timeline types arrive with their issues; this
/// module exists now so the package has its final shape.
public enum Reports {
    /// The archive layout the batch side reads.
    public static func layout(root: String) -> ArchiveLayout { ArchiveLayout(root: root) }
}
