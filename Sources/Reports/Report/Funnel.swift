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

    /// Builds the funnel of a set of (event code, events) groups, with the distinct users `users` counts at each
    /// stage the groups reach (`UserCounts`).
    init(_ groups: [(code: String, events: Int)], users: (FunnelStage) -> Int) {
        var reached = Set<FunnelStage>()
        for group in groups {
            for stage in FunnelStage.stages(of: group.code) {
                self[stage].events += group.events
                reached.insert(stage)
            }
        }
        for stage in reached { self[stage].users = users(stage) }
    }
}
