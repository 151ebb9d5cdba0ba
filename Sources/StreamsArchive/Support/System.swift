import Glibc

/// What the machine offers: cores, clocks.
public enum System {
    /// Cores this process may run on.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// The soft limit on open descriptors (`RLIMIT_NOFILE`), which budgets the receiver's files and connections.
    public static var descriptorLimit: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return 1024 }
        return Int(clamping: limit.rlim_cur)
    }

    /// Raises the soft descriptor limit to the hard one (as Go's runtime does at start) and returns the soft
    /// limit now in force; on failure it stays where it was.
    package static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return descriptorLimit
    }

    /// Seconds since an arbitrary start, for timing steps.
    public static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
