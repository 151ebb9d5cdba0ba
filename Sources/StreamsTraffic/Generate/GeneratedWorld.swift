import StreamsArchive

/// A campaign in generated traffic, with the optional attributes MoEngage adds for variations, locales and flows.
struct GeneratedCampaign {
    let id: String
    let name: String
    let type: String
    let channel: Channel
    /// `campaign_channel` as MoEngage writes it.
    let channelLabel: String
    let variations: [String]
    let locales: [(id: String, name: String)]
    let parentFlow: (id: String, name: String)?
}

/// A user in generated traffic, with one or two devices.
struct GeneratedUser {
    let uid: String
    let moengageID: String
    let firstName: String
    let city: String
    let plan: String
    let devices: [GeneratedDevice]
}

struct GeneratedDevice {
    enum Platform: String { case android = "ANDROID", ios = "iOS", web = "web" }
    let id: String
    let platform: Platform
    let appVersion: String
}

/// The campaigns and users of one generated day, fixed by the seed.
struct GeneratedWorld {
    let campaigns: [GeneratedCampaign]
    let users: [GeneratedUser]

    /// Campaign names that exercise CSV quoting and JSON escaping: commas, quotes, backslashes, unicode.
    static let names = [
        "Welcome Series — Day 1", "Winter Sale, 50% off", "\"Flash\" Friday", "Café crème ☕ reminder",
        "Back\\Slash Promo", "Привет! Новинки недели", "新年快乐 New Year", "Cart abandon, \"last chance\" \\ final",
        "Launch 🚀 week", "Re-engagement: we miss you", "Loyalty tier upgrade", "Price drop alert",
        "Order shipped", "Weekly digest", "Flash deal: 2 for 1", "App update available",
    ]

    static let channels: [(Channel, String)] = [
        (.email, "Email"), (.sms, "SMS"), (.push, "Push"), (.connector, "Connector"),
        (.cards, "Cards"), (.inapp, "Mobile In-Apps"), (.onsite, "On-site Messaging"), (.flows, "Flows"),
    ]

    static let campaignTypes = ["General", "Smart Trigger", "Periodic", "Broadcast", "Location Triggered", "Business Event"]
    static let firstNames = ["Asha", "Liam", "Zoë", "Mateo", "Søren", "Yuki", "Olu", "Priya", "Chloé", "Ivan", "Mei", "Noah"]
    static let cities = ["Mumbai", "Berlin", "São Paulo", "Zürich", "Tokyo", "Lagos", "New York", "Kraków"]

    init(seed: UInt64, userCount: Int) {
        var random = SeededRandom(seed: seed ^ 0x5EED_CA4F)
        var campaigns: [GeneratedCampaign] = []
        for index in 0..<48 {
            let (channel, label) = Self.channels[index % Self.channels.count]
            let base = Self.names[index % Self.names.count]
            let name = index < Self.names.count ? base : "\(base) #\(index / Self.names.count + 1)"
            let variations = random.chance(0.3) ? ["1", "2", "3"].prefix(random.inRange(2...3)).map { $0 } : []
            let locales: [(id: String, name: String)] = random.chance(0.25) ? [("loc_en", "English"), ("loc_de", "Deutsch"), ("loc_hi", "हिन्दी")] : []
            let flowIndex = random.below(4)
            let parentFlow: (id: String, name: String)? =
                channel == .flows || random.chance(0.2) ? ("flow\(Self.hex(&random, 20))", ["Onboarding, v2", "Win-back \"VIP\"", "Checkout nudges", "Fidélité ★"][flowIndex]) : nil
            campaigns.append(
                GeneratedCampaign(
                    id: Self.hex(&random, 24), name: name, type: random.pick(Self.campaignTypes), channel: channel, channelLabel: label,
                    variations: variations, locales: locales, parentFlow: parentFlow
                )
            )
        }
        var users: [GeneratedUser] = []
        for index in 0..<userCount {
            let uid =
                switch index % 50 {
                case 7: "usér-ß-\(index)"
                case 19: "用户-\(index)"
                case 33: "user \"quoted\", \(index)"
                default: "user-\(UTCDate.pad(Int64(index), 7))"
                }
            let deviceCount = random.chance(0.3) ? 2 : 1
            let devices = (0..<deviceCount).map { _ in
                GeneratedDevice(
                    id: Self.hex(&random, 16),
                    platform: random.pick([.android, .android, .ios, .web]),
                    appVersion: "\(random.inRange(5...9)).\(random.inRange(0...20)).\(random.inRange(0...9))"
                )
            }
            users.append(
                GeneratedUser(
                    uid: uid, moengageID: Self.hex(&random, 24), firstName: random.pick(Self.firstNames),
                    city: random.pick(Self.cities), plan: random.pick(["free", "plus", "pro"]), devices: devices
                )
            )
        }
        self.campaigns = campaigns
        self.users = users
    }

    static func hex(_ random: inout SeededRandom, _ length: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<length).map { _ in digits[random.below(16)] })
    }
}
