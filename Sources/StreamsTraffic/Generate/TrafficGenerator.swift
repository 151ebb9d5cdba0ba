import StreamsArchive

/// Realistic MoEngage Streams traffic for one day: request bodies exactly as Streams POSTs them.
///
/// The output is fixed by the seed and the date; days of one seed share its campaigns and users. It holds all
/// 33 campaign event codes and user actions; funnels with bounces and unsubscribes; campaigns with variations,
/// locales and parent flows; users with attributes and devices; batches of 1–100 events; about 2% of batches
/// sent again (a retry, same bytes); a few late events whose event_time is on the previous day; and names with
/// unicode, quotes, commas and backslashes.
public struct TrafficGenerator: Sendable {
    public struct Options: Sendable {
        /// Distinct events (retried batches repeat some of them on top of this).
        public var events: Int
        public var date: UTCDate
        public var seed: UInt64
        public var appName: String
        public var shape: Shape

        public init(events: Int, date: UTCDate, seed: UInt64, appName: String = "Acme Shop", shape: Shape = .typical) {
            self.events = events
            self.date = date
            self.seed = seed
            self.appName = appName
            self.shape = shape
        }
    }

    /// How the day's events spread over channels, hours, campaigns and users.
    public enum Shape: String, Sendable, CaseIterable {
        /// Funnels of 48 campaigns and user actions over 24 hours, one user per 25 events, late and retried events.
        case typical
        /// A push blast: every event a push campaign's, all in 12:00–13:00, so one channel-hour holds the day.
        case busyHour = "busy-hour"
        /// One email campaign sent to as many distinct users as events, each event one of five event codes.
        case oneCampaign = "one-campaign"
    }

    /// The five event codes of `Shape.oneCampaign`, with their weights out of 100.
    static let oneCampaignCodes = [
        ("MOE_EMAIL_SENT", 40), ("MOE_EMAIL_DELIVERED", 30), ("MOE_EMAIL_OPEN", 15), ("MOE_EMAIL_CLICK", 10), ("MOE_EMAIL_HARD_BOUNCE", 5),
    ]

    public struct Summary: Sendable, Equatable {
        public var bodies = 0
        public var retriedBodies = 0
        public var distinctEvents = 0
        public var lateEvents = 0
        public var bytes = 0
    }

    /// User actions sent with `event_type` USER_ACTION_EVENT.
    static let userActions = ["App Opened", "Product Viewed", "Added To Cart", "Checkout Started", "Purchase Completed", "Search"]

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    /// Calls `body` with each request body (one JSON object, no newline), in arrival order.
    @discardableResult
    public func forEachBody(_ body: ([UInt8]) throws -> Void) rethrows -> Summary {
        // The world (campaigns, users) is the seed's alone, so days generated with one seed share it, as a real
        // app's days do; the events are the seed's and the date's, so no two days share an event_uuid.
        var random = SeededRandom(seed: options.seed ^ UInt64(bitPattern: options.date.daysSinceEpoch) &* 0x9E37_79B9_7F4A_7C15)
        let world = GeneratedWorld(seed: options.seed, userCount: max(50, options.shape == .oneCampaign ? options.events : options.events / 25))
        var events = options.shape == .oneCampaign ? planOneCampaign(world: world, random: &random) : plan(world: world, random: &random)
        events.sort { ($0.arrival, $0.sequence) < ($1.arrival, $1.sequence) }

        var summary = Summary(distinctEvents: events.count, lateEvents: events.filter { $0.time < options.date.startEpochSeconds }.count)
        let writer = EventWriter(world: world, appName: options.appName)
        var pendingRetries: [(dueAfter: Int, body: [UInt8])] = []
        var start = 0
        while start < events.count {
            let size = random.chance(0.6) ? 100 : random.inRange(1...99)
            let batch = events[start..<min(start + size, events.count)]
            start += batch.count
            let encoded = writer.body(batch, requestID: Self.uuid(random.next(), random.next()))
            try body(encoded)
            summary.bodies += 1
            summary.bytes += encoded.count + 1
            if random.chance(0.02) {
                pendingRetries.append((summary.bodies + random.inRange(1...3), encoded))
            }
            while let due = pendingRetries.firstIndex(where: { $0.dueAfter <= summary.bodies }) {
                let retry = pendingRetries.remove(at: due).body
                try body(retry)
                summary.bodies += 1
                summary.retriedBodies += 1
                summary.bytes += retry.count + 1
            }
        }
        for retry in pendingRetries {
            try body(retry.body)
            summary.bodies += 1
            summary.retriedBodies += 1
            summary.bytes += retry.body.count + 1
        }
        return summary
    }

    /// Writes the bodies to `path`, one per line.
    @discardableResult
    public func write(to path: String) throws -> Summary {
        let file = try POSIXFile.createTruncating(path)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        let summary = try forEachBody { body in
            buffer.append(contentsOf: body)
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count >= 1 << 20 {
                try buffer.withUnsafeBytes { try file.write($0) }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try buffer.withUnsafeBytes { try file.write($0) }
        try file.sync()
        return summary
    }

    /// `Shape.oneCampaign`: event i goes to user i, from the first email campaign, at a random time of the day.
    private func planOneCampaign(world: GeneratedWorld, random: inout SeededRandom) -> [PlannedEvent] {
        let dayStart = options.date.startEpochSeconds
        let campaign = world.campaigns.firstIndex { $0.channel == .email }!
        return (0..<options.events).map { index in
            var roll = random.below(100)
            let code = Self.oneCampaignCodes.first { roll -= $0.1; return roll < 0 }!.0
            let time = dayStart + Int64(random.below(86_400))
            return PlannedEvent(
                sequence: index, arrival: time + Int64(random.below(8)), time: time, code: code, campaign: campaign, user: index,
                device: 0, variation: -1, locale: -1, uuid: (random.next(), random.next())
            )
        }
    }

    /// Every event of the day, before batching: first one funnel per event code, then random traffic (or, for
    /// `Shape.busyHour`, push funnels only, every step in one hour).
    private func plan(world: GeneratedWorld, random: inout SeededRandom) -> [PlannedEvent] {
        let dayStart = options.date.startEpochSeconds
        let dayEnd = dayStart + 86_400
        let busyHour = options.shape == .busyHour
        var events: [PlannedEvent] = []
        events.reserveCapacity(options.events + 100)
        var lateBudget = options.events >= 100 && !busyHour ? max(2, options.events / 1000) : 0
        let pushCampaigns = world.campaigns.indices.filter { world.campaigns[$0].channel == .push }

        func addFunnel(force: String?) {
            let late = force == nil && lateBudget > 0 && random.chance(0.01)
            let campaignIndex: Int
            if busyHour {
                campaignIndex = random.pick(pushCampaigns)
            } else if let force, let channel = EventCatalog.entry(for: force)?.channel {
                let matching = world.campaigns.indices.filter { world.campaigns[$0].channel == channel }
                campaignIndex = random.pick(matching)
            } else {
                campaignIndex = random.below(world.campaigns.count)
            }
            let campaign = world.campaigns[campaignIndex]
            let userIndex = random.below(world.users.count)
            let user = world.users[userIndex]
            let wanted = Funnel.platform(forcing: force)
            let deviceIndex = user.devices.firstIndex { $0.platform == wanted } ?? random.below(user.devices.count)
            let platform = wanted ?? user.devices[deviceIndex].platform
            let steps = Funnel.build(channel: campaign.channel, platform: platform, random: &random, force: force)
            let start = late ? dayStart - Int64(random.inRange(600...7200)) : dayStart + Int64(random.below(86_400))
            let variation = campaign.variations.isEmpty ? -1 : random.below(campaign.variations.count)
            let locale = campaign.locales.isEmpty ? -1 : random.below(campaign.locales.count)
            for step in steps where events.count < options.events {
                let time = busyHour ? dayStart + 12 * 3600 + Int64(random.below(3600)) : start + step.offset
                if late ? time >= dayStart : time >= dayEnd { break }
                let arrival = late ? dayStart + Int64(random.below(3600)) : time + Int64(random.below(8))
                events.append(
                    PlannedEvent(
                        sequence: events.count, arrival: arrival, time: time, code: step.code, campaign: campaignIndex,
                        user: userIndex, device: deviceIndex, variation: variation, locale: locale, uuid: (random.next(), random.next())
                    )
                )
                if late { lateBudget -= 1 }
            }
        }

        for entry in EventCatalog.entries where events.count < options.events && !busyHour {
            addFunnel(force: entry.code)
        }
        while events.count < options.events {
            if busyHour {
                addFunnel(force: nil)
            } else if random.chance(0.2) {
                let userIndex = random.below(world.users.count)
                let start = dayStart + Int64(random.below(86_000))
                for step in 0..<random.inRange(1...4) where events.count < options.events {
                    let time = start + Int64(step * random.inRange(5...90))
                    events.append(
                        PlannedEvent(
                            sequence: events.count, arrival: time + Int64(random.below(8)), time: time,
                            code: random.pick(Self.userActions), campaign: -1, user: userIndex,
                            device: random.below(world.users[userIndex].devices.count), variation: -1, locale: -1,
                            uuid: (random.next(), random.next())
                        )
                    )
                }
            } else {
                addFunnel(force: nil)
            }
        }
        return events
    }

    /// An RFC 4122-shaped UUID string from 128 random bits.
    static func uuid(_ high: UInt64, _ low: UInt64) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for (index, nibble) in (0..<32).enumerated() {
            if [8, 12, 16, 20].contains(index) { text.append("-") }
            let word = nibble < 16 ? high : low
            text.append(digits[Int(word >> UInt64(60 - (nibble % 16) * 4) & 0xF)])
        }
        return text
    }
}

/// One event of the plan, compact until it is written.
struct PlannedEvent {
    let sequence: Int
    let arrival: Int64
    let time: Int64
    let code: String
    /// Index into the world's campaigns; -1 for a user action.
    let campaign: Int
    let user: Int
    let device: Int
    let variation: Int
    let locale: Int
    let uuid: (UInt64, UInt64)
}
