import Foundation

/// Replay protection for notifications: the timestamp the wallet signed must be within a
/// tolerance of our clock, either way. A captured notification replayed later verifies (its
/// signature is genuine), so only its signed time tells it apart.
///
/// The Alipay+ adapter checks `Request-Time` and the SNAP adapter `X-TIMESTAMP` when their
/// configuration's `notificationClockTolerance` is set (profile setting
/// `notificationClockToleranceSeconds`). Paytm's checksum covers no time, so its
/// notifications rely on deduplication alone.
public enum NotificationFreshness {
    /// Refuses `timestamp` (the signed header `header`) when it is further than `tolerance`
    /// from `now`, naming the skew and its direction.
    /// - Throws: ``WalletError`` `authenticationFailed` (nothing charged) for a timestamp that
    ///   does not parse or is outside the tolerance.
    public static func check(_ timestamp: String, header: String, now: Date, tolerance: Duration) throws(WalletError) {
        guard let sent = TimestampText.parse(timestamp) else {
            throw WalletError(
                .authenticationFailed, "the notification's \(header) \(timestamp) is not YYYY-MM-DDTHH:mm:ss±HH:MM", mayHaveCharged: false)
        }
        let skew = sent.timeIntervalSince(now)
        let limit = Double(tolerance.components.seconds)
        guard abs(skew) <= limit else {
            let direction = skew < 0 ? "behind" : "ahead of"
            throw WalletError(
                .authenticationFailed,
                "stale or skewed: the notification's \(header) is \(Int(abs(skew))) s \(direction) our clock; "
                    + "the tolerance is \(Int(limit)) s (a replayed notification, or a clock to fix)", mayHaveCharged: false)
        }
    }
}
