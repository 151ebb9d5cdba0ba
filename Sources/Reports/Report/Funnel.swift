import StreamsArchive

/// Events and distinct users at one funnel stage.
public struct StageCount: Sendable, Equatable {
    public var events = 0
    public var users = 0
}

/// A campaign's (or a variation's, or a locale's) counts at every funnel stage, and its rates.
public struct Funnel: Sendable, Equatable {
    private var counts: [FunnelStage: StageCount] = [:]

    public subscript(stage: FunnelStage) -> StageCount {
        get { counts[stage] ?? StageCount() }
        set { counts[stage] = newValue }
    }

    public func rate(_ rate: FunnelRate) -> Double? { rate.value(in: self) }

    /// Builds the funnel of a set of (event code, events, users) groups; users are unioned within a stage.
    init(_ groups: [(code: String, events: Int, users: FingerprintSet)]) {
        var users: [FunnelStage: FingerprintSet] = [:]
        for group in groups {
            for stage in FunnelStage.stages(of: group.code) {
                self[stage].events += group.events
                users[stage, default: FingerprintSet()].formUnion(group.users)
            }
        }
        for (stage, set) in users { self[stage].users = set.count }
    }
}
