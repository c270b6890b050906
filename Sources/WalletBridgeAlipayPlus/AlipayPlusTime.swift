import Foundation

/// `Request-Time` / `Response-Time` text: ISO 8601 in UTC with an explicit offset at second
/// precision (`2026-11-24T10:04:05+00:00`), the form the reference library sends. Received
/// times are opaque: signatures cover the header text exactly as sent.
enum AlipayPlusTime {
    static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year ?? 1970)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))+00:00"
    }
}
