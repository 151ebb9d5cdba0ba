import CMalloc

/// How a batch step's process gives memory back, so that its RSS follows what it holds now (what its memory
/// budget bounds) rather than the most it ever held.
///
/// glibc's allocator serves blocks of 128 KiB and more with mmap, and returns them at free; but each time such
/// a block is freed it raises that threshold to the block's size (up to 32 MiB), so the next blocks of that
/// size come from the heap, and freed heap memory stays resident. A step that drops and regrows its sets at
/// every spill (report's user sets) then keeps pages the budget no longer covers: the 10M-event day's report
/// held 124 MB at a 64 MiB budget, 115 MB with the threshold fixed. Fixing it at 128 KiB, and trimming the
/// heap's top past 128 KiB, keeps every large block returned at free. Process-wide, and set only once a step
/// starts spilling (`UserSpill`), or for a whole night (`NightlyPipeline`: each step drops what the one
/// before held): before that, glibc's reuse of freed blocks is worth about 7% of a report's time, and seal,
/// timelines and verify, which keep their batches and buffers from one spill to the next, gain nothing
/// from it.
package enum ProcessMemory {
    /// Gives the kernel back the free pages anywhere in the heap, now: for a step that has just dropped many
    /// small blocks it will not allocate again (timelines' spill buffers, before its buckets are sorted).
    package static func giveBackFreeHeap() {
        _ = malloc_trim(0)
    }

    package static func returnFreedBlocks() {
        _ = mallopt(M_MMAP_THRESHOLD, 128 << 10)
        _ = mallopt(M_TRIM_THRESHOLD, 128 << 10)
    }
}
