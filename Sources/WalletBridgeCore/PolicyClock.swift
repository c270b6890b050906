import Foundation

/// The clocks policy runs on, injected so that a test can run a 60-second reconciliation
/// window in milliseconds: sleeps and elapsed times use any `Clock<Duration>`, and `now`
/// stamps the journal.
public struct PolicyClock: Sendable {
    /// Wall time, for journal timestamps and for windows that outlive a process.
    public let now: @Sendable () -> Date
    private let sleeper: @Sendable (Duration) async -> Void
    private let starter: @Sendable () -> Stopwatch

    /// Creates policy clocks; the defaults are `ContinuousClock` and `Date()`.
    public init<C: Clock<Duration>>(clock: C, now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
        sleeper = { duration in try? await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil) }
        starter = { Stopwatch(clock) }
    }

    /// `ContinuousClock` and `Date()`.
    public init() {
        self.init(clock: ContinuousClock())
    }

    /// Compressed time, for simulations against a sandbox started with the same scale: every
    /// sleep lasts `1/timeScale` of its duration, elapsed times and `now` advance `timeScale`
    /// times faster than real time (from the moment the clock is made), so a 60-second
    /// reconciliation window passes in 0.6 s at a scale of 100. A scale of 1 is real time.
    public init(timeScale: Double) {
        let scale = timeScale.isFinite && timeScale > 0 ? timeScale : 1
        let origin = Date()
        let clock = ContinuousClock()
        now = { origin.addingTimeInterval(Date().timeIntervalSince(origin) * scale) }
        sleeper = { duration in try? await clock.sleep(for: duration / scale) }
        starter = {
            let start = clock.now
            return Stopwatch(read: { start.duration(to: clock.now) * scale })
        }
    }

    /// Starts measuring elapsed time.
    public func stopwatch() -> Stopwatch { starter() }

    /// Sleeps; returns early (without throwing) when the task is cancelled.
    public func sleep(for duration: Duration) async {
        guard duration > .zero else { return }
        await sleeper(duration)
    }

    /// Elapsed time on one clock since it was started.
    public struct Stopwatch: Sendable {
        private let read: @Sendable () -> Duration

        init<C: Clock<Duration>>(_ clock: C) {
            let start = clock.now
            read = { start.duration(to: clock.now) }
        }

        init(read: @escaping @Sendable () -> Duration) {
            self.read = read
        }

        /// Time since the stopwatch started.
        public var elapsed: Duration { read() }
    }
}
