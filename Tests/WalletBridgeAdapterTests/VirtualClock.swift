import Foundation
import WalletBridgeCore

/// A clock whose `sleep` returns at once and moves `now` forward by the time slept, so that a
/// `WalletClient`'s backoffs and reconciliation windows (seconds to minutes) pass in
/// milliseconds while every decision still sees the elapsed time it would see in production.
final class VirtualClock: Clock, @unchecked Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private let lock = NSLock()
    private var current = Instant(offset: .zero)
    /// Wall time at virtual zero, for journal timestamps.
    let start = Date()

    var now: Instant { lock.withLock { current } }
    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        lock.withLock { if current < deadline { current = deadline } }
        await Task.yield()
    }

    /// Virtual time slept so far.
    var elapsed: Duration { now.offset }

    /// Wall time that moves with the virtual clock.
    var date: Date {
        let parts = elapsed.components
        return start.addingTimeInterval(Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }

    /// Policy clocks on this virtual clock (sleeps, elapsed times and journal timestamps).
    var policy: PolicyClock { PolicyClock(clock: self, now: { [self] in date }) }
}

/// A `WalletClient` whose waits run on a ``VirtualClock``: its retries, backoffs and
/// reconciliation windows are those of production, but take no wall time.
func fastClient(
    _ adapter: any WalletAdapter, journal: any PaymentJournal = InMemoryPaymentJournal(), settleWithin: Duration = .seconds(3600),
    retry: RetryPolicy = RetryPolicy(), clock: VirtualClock = VirtualClock()
) -> WalletClient {
    WalletClient(
        adapter: adapter, journal: journal,
        configuration: WalletClient.Configuration(retry: retry, settleWithin: settleWithin, clock: clock.policy, jitter: { 0.5 }))
}
