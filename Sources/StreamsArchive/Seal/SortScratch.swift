import Glibc

/// What a sealer's `HourSorter` keeps from hour to hour: its batch, reserved once at the batch's budget and lent
/// to each hour in turn (so hours reuse its pages instead of each taking and giving back their own), and two
/// scratch files for sorted runs (the lines' runs; the identities' runs and the copies to drop), made on the
/// first hour that needs them and written over by every later one, so a large day's seal makes two files per sealer,
/// not two per hour. The files are unnamed (`POSIXFile.createUnnamed`): nothing is left after the seal,
/// however it ends; on a filesystem without unnamed files the fallback name is a sealing run's
/// (`ArchiveFileName.sealingRun`), which recovery removes. The lines' file holds the largest spilled hour's
/// lines once, and again per merge-down of more than 64 runs. Not thread-safe; one per sealer.
final class SortScratch {
    private var files: [POSIXFile?] = [nil, nil]
    private var batch: SpillBatch?

    /// The batch, empty, reserved for `budget` bytes of lines; give it back when the hour is sorted.
    func takeBatch(budget: Int) -> SpillBatch {
        // Taken out, not copied: emptying storage that two values share would allocate it again.
        guard var held = batch.take(), held.reservedLines >= budget else { return SpillBatch(deduplicating: true, reservingLines: budget) }
        held.removeAll()
        return held
    }

    func giveBack(_ batch: SpillBatch) { self.batch = batch }

    /// Scratch file `index` (0 or 1), made in `directory` if this is its first use.
    func file(_ index: Int, in directory: String) throws(StorageError) -> POSIXFile {
        if let file = files[index] { return file }
        let file = try POSIXFile.createUnnamed(in: directory, fallbackName: ArchiveFileName.sealingRun(process: getpid(), index: index))
        files[index] = file
        return file
    }
}
