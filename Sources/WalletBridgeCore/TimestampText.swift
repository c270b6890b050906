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
}
