import Foundation
import WalletBridgeCore

/// Reads SNAP's X-TIMESTAMP (`2026-11-24T10:04:05+07:00`) digit by digit, with no locale.
public enum SNAPTimestamp {
    /// The instant `text` names, or nil unless it is `YYYY-MM-DDTHH:mm:ss±HH:MM` and a real date
    /// (`TimestampText.parse(_:)`).
    public static func parse(_ text: String) -> Date? { TimestampText.parse(text) }
}
