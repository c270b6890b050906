import Foundation
import WalletBridgeTesting

/// Where the sandbox delivers notifications when the merchant runs several instances behind
/// one notify URL: a pool of base URLs, as a load balancer would spread them.
///
/// A payment still names its notify URL; with targets set, the sandbox keeps that URL's path
/// and query (`/webhooks/gcash`) and replaces its scheme, host and port with a target drawn for
/// each attempt, so a redelivery after a failed attempt (an instance that died) may reach
/// another instance. A share of the notifications (``duplicateRate``) is also delivered a
/// second time, at once, to another target: two instances then receive the same notification
/// concurrently, which a journal shared by the instances must apply once.
///
/// Every draw is a pure function of the fault plan's seed, the wallet, the notification's
/// label, the copy and the attempt (`SeededDraw` of WalletBridgeTesting), so the same seed routes the same
/// notifications the same way in every run.
public struct WebhookTargets: Sendable, Equatable {
    /// Base URLs (`http://127.0.0.1:8001`); empty: each notification goes to the URL the
    /// payment named.
    public var baseURLs: [String]
    /// The share of notifications (`0...1`) also delivered a second time to another target.
    public var duplicateRate: Double

    /// Creates a pool; the default has no targets and duplicates nothing.
    public init(_ baseURLs: [String] = [], duplicateRate: Double = 0) {
        self.baseURLs = baseURLs.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.duplicateRate = duplicateRate
    }

    /// Whether the notification `label` of `wallet` is delivered a second time.
    public func isDuplicated(seed: UInt64, wallet: String, label: String) -> Bool {
        duplicateRate > 0 && SeededDraw.unit(seed: seed, "webhook-duplicate", wallet, label) < duplicateRate
    }

    /// Where attempt `attempt` (1-based) of copy `copy` (1, or 2 for the duplicate) of the
    /// notification `label` goes: `notifyURL` with the drawn target's scheme, host and port,
    /// or `notifyURL` itself without targets. A duplicate's first attempt never goes where the
    /// original's first attempt went (when there are two targets or more).
    public func url(for notifyURL: String, seed: UInt64, wallet: String, label: String, copy: Int = 1, attempt: Int = 1) -> String {
        guard !baseURLs.isEmpty else { return notifyURL }
        let parts = ["webhook-target", wallet, label]
        var index = SeededDraw.index(seed: seed, count: baseURLs.count, parts + [String(copy), String(attempt)])
        if copy > 1, attempt == 1, baseURLs.count > 1 {
            let first = SeededDraw.index(seed: seed, count: baseURLs.count, parts + ["1", "1"])
            // One of the other targets: an offset in 1..<count from the original's.
            let offset = 1 + SeededDraw.index(seed: seed, count: baseURLs.count - 1, parts + [String(copy), "other"])
            index = (first + offset) % baseURLs.count
        }
        return Self.rebase(notifyURL, onto: baseURLs[index])
    }

    /// `url`'s path and query on `base`'s scheme, host and port.
    static func rebase(_ url: String, onto base: String) -> String {
        guard let components = URLComponents(string: url) else { return base }
        var tail = components.percentEncodedPath
        if let query = components.percentEncodedQuery { tail += "?" + query }
        return base + tail
    }
}
