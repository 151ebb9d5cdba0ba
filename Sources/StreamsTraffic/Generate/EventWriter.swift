import StreamsArchive

/// Serializes planned events into Streams request bodies, with the keys in the order MoEngage's examples use.
struct EventWriter {
    let world: GeneratedWorld
    let appName: String

    func body(_ events: ArraySlice<PlannedEvent>, requestID: String) -> [UInt8] {
        var json = JSONBuilder(capacity: events.count * 800 + 128)
        json.beginObject()
        json.string("app_name", appName)
        json.string("source", "MOENGAGE")
        json.string("moe_request_id", requestID)
        json.beginArray("events")
        for event in events { append(event, to: &json) }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    private func append(_ event: PlannedEvent, to object: inout JSONBuilder) {
        let user = world.users[event.user]
        let device = user.devices[event.device]
        let campaign = event.campaign >= 0 ? world.campaigns[event.campaign] : nil
        object.beginObject()
        object.string("event_name", EventCatalog.entry(for: event.code)?.name ?? event.code)
        object.string("event_code", event.code)
        object.string("event_uuid", TrafficGenerator.uuid(event.uuid.0, event.uuid.1))
        object.raw("event_time", String(event.time))
        object.string("event_type", campaign == nil ? EventType.userAction.rawValue : EventType.campaign.rawValue)
        object.string("event_source", "MOENGAGE")
        switch campaign?.channel {
        case .push: object.string("push_id", "tok_" + device.id)
        case .email: object.string("email_id", "\(user.uid.filter(\.isASCII).filter { $0 != " " && $0 != "\"" && $0 != "," })@example.com")
        case .sms: object.string("mobile_number", "+4915\(UTCDate.pad(Int64(event.user % 100_000_000), 8))")
        default: break
        }
        object.string("uid", user.uid)
        object.object("event_attributes") { attributes in
            if let campaign {
                attributes.string("campaign_id", campaign.id)
                attributes.string("campaign_name", campaign.name)
                attributes.string("campaign_type", campaign.type)
                attributes.string("campaign_channel", campaign.channelLabel)
                if event.variation >= 0 { attributes.string("variation_id", campaign.variations[event.variation]) }
                if event.locale >= 0 {
                    attributes.string("locale_id", campaign.locales[event.locale].id)
                    attributes.string("locale_name", campaign.locales[event.locale].name)
                    attributes.string("parent_campaign_id", campaign.id)
                }
                if let flow = campaign.parentFlow {
                    attributes.string("parent_flow_id", flow.id)
                    attributes.string("parent_flow_name", flow.name)
                }
            } else {
                let bits = event.uuid.1
                attributes.string("product_id", "sku-\(bits % 5000)")
                attributes.raw("price", "\(bits % 20_000 / 100).\(UTCDate.pad(Int64(bits % 100), 2))")
                attributes.string("currency", "EUR")
                attributes.raw("quantity", String(bits % 4 + 1))
                attributes.object("context") { context in
                    context.string("screen", ["home", "search", "pdp", "cart"][Int(bits % 4)])
                    context.raw("is_logged_in", bits % 3 == 0 ? "false" : "true")
                }
            }
        }
        object.object("user_attributes") { attributes in
            attributes.string("moengage_user_id", user.moengageID)
            attributes.string("first_name", user.firstName)
            attributes.string("city", user.city)
            attributes.string("plan", user.plan)
        }
        object.object("device_attributes") { attributes in
            attributes.string("moengage_device_id", device.id)
            attributes.string("platform", device.platform.rawValue)
            attributes.string("app_version", device.appVersion)
        }
        object.endObject()
    }
}

