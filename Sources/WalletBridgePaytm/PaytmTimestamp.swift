import Foundation
import WalletBridgeCore

/// Paytm's transaction times (`txnDate`, `TXNDATE`): `2026-11-24 22:40:00.0`, India Standard
/// Time (UTC+05:30) with no zone in the text, and a fraction of a second of any length (often
/// one digit). The fraction is dropped.
enum PaytmTimestamp {
    /// The instant `text` names, or nil unless it is `YYYY-MM-DD HH:mm:ss` with an optional
    /// `.fraction`, and a real date.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19, bytes[10] == UInt8(ascii: " ") else { return nil }
        if bytes.count > 19 {
            guard bytes[19] == UInt8(ascii: "."), bytes.count > 20,
                bytes[20...].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            else { return nil }
        }
        let iso = String(decoding: bytes[..<10], as: UTF8.self) + "T" + String(decoding: bytes[11..<19], as: UTF8.self) + "+05:30"
        return TimestampText.parse(iso)
    }
}
