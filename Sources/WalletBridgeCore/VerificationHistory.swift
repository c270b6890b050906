import Foundation

/// Whether any reply has verified with one adapter's configuration in this run: what tells a
/// wrong key from a tampered reply. A checksum that fails on the very first reply, which
/// itself says "invalid checksum", points at our own key; the same failure after replies
/// have verified with that key points elsewhere (a tampered or misrouted reply).
///
/// Adapters keep one per configuration (copies share it) and call ``recordVerified()`` on
/// every reply whose signature or checksum checks out; they attach a
/// ``WalletError/Diagnosis/Kind/configuration`` diagnosis only while ``anyVerified`` is false.
public final class VerificationHistory: @unchecked Sendable {
    private let lock = NSLock()
    private var verified = false

    /// A history in which nothing has verified yet.
    public init() {}

    /// Records that a reply verified with this configuration.
    public func recordVerified() {
        lock.withLock { verified = true }
    }

    /// Whether any reply has verified with this configuration so far.
    public var anyVerified: Bool {
        lock.withLock { verified }
    }
}
