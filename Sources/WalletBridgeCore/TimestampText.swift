import Foundation

/// ISO 8601 timestamps at second precision with an explicit offset, as wallets put them in
/// signed headers (`2026-11-24T10:04:05+00:00`, `2026-11-24T17:04:05+07:00`). Signatures cover
/// the text exactly, so it is built digit by digit, never by a locale-dependent formatter.
public enum TimestampText {
    /// `date` in the time zone `offsetHours` from UTC.
    public static func iso8601(_ date: Date, offsetHours: Int = 0) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: offsetHours * 3600) ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String {
            let v = value ?? 0
            return v < 10 ? "0\(v)" : "\(v)"
        }
        let sign = offsetHours < 0 ? "-" : "+"
        return "\(c.year ?? 1970)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))\(sign)\(two(abs(offsetHours))):00"
    }

    /// The instant `text` names, or nil unless it is `YYYY-MM-DDTHH:mm:ss±HH:MM` (the form
    /// ``iso8601(_:offsetHours:)`` writes) and a real date. Read digit by digit, with no locale.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 25, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[22] == UInt8(ascii: ":"),
            bytes[19] == UInt8(ascii: "+") || bytes[19] == UInt8(ascii: "-")
        else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for byte in bytes[from..<(from + count)] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2), let offsetHours = number(20, 2), let offsetMinutes = number(23, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61, offsetHours < 24, offsetMinutes < 60
        else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month, day)
        (components.hour, components.minute, components.second) = (hour, minute, second)
        let sign = bytes[19] == UInt8(ascii: "-") ? -1 : 1
        var calendar = Calendar(identifier: .gregorian)
        guard let zone = TimeZone(secondsFromGMT: sign * (offsetHours * 3600 + offsetMinutes * 60)) else { return nil }
        calendar.timeZone = zone
        components.timeZone = zone
        guard let date = calendar.date(from: components), calendar.component(.day, from: date) == day else { return nil }
        return date
    }
}
