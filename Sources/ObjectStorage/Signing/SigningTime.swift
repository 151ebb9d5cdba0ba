import Glibc

/// The instant a request is signed, in the two forms SigV4 uses: `20150830T123600Z` (`x-amz-date`) and
/// `20150830` (the credential scope's date). Held as whole seconds since the epoch, UTC.
package struct SigningTime: Sendable, Equatable {
    package let secondsSinceEpoch: Int64

    package init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    /// Now, from the system's real-time clock.
    package static func now() -> SigningTime {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return SigningTime(secondsSinceEpoch: Int64(now.tv_sec))
    }

    /// Parses `yyyyMMddTHHmmssZ`; nil for anything else.
    package init?(amzDate: String) {
        let bytes = Array(amzDate.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int32? { Int32(String(decoding: bytes[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8), let hour = number(9..<11),
            let minute = number(11..<13), let second = number(13..<15)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        secondsSinceEpoch = Int64(timegm(&parts))
    }

    /// `yyyyMMddTHHmmssZ`.
    package var amzDate: String {
        let parts = brokenDown
        return pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "T" + pad(parts.tm_hour, 2)
            + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "Z"
    }

    /// `yyyyMMdd`.
    package var dateStamp: String { String(amzDate.prefix(8)) }

    private var brokenDown: tm {
        var seconds = time_t(secondsSinceEpoch)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }

    private func pad(_ value: Int32, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
