import CCurl
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The process's CPU time (user + system) and peak resident set, from `getrusage(RUSAGE_SELF)`.
struct BenchUsage {
    let cpuSeconds: Double
    let peakRSSMB: Double

    static func now() -> BenchUsage {
        var usage = rusage()
        #if os(Linux)
            _ = getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
            _ = getrusage(RUSAGE_SELF, &usage)
        #endif
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        // Linux reports ru_maxrss in KiB.
        return BenchUsage(cpuSeconds: user + system, peakRSSMB: Double(usage.ru_maxrss) / 1024)
    }
}

/// One timed loop: how many operations, the wall time (monotonic clock) and the process's CPU
/// time spent while it ran.
struct BenchSample {
    let operations: Int
    let wallSeconds: Double
    let cpuSeconds: Double

    var cpuMicrosPerOperation: Double { operations > 0 ? cpuSeconds * 1e6 / Double(operations) : 0 }
    var wallMicrosPerOperation: Double { operations > 0 ? wallSeconds * 1e6 / Double(operations) : 0 }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Runs `body` (after `warmUp` untimed calls) until `duration` has passed, in batches of
    /// `batch`, and measures wall and CPU time around the timed calls.
    static func measure(for duration: Duration, warmUp: Int = 10, batch: Int = 16, _ body: () throws -> Void) rethrows -> BenchSample {
        for _ in 0..<warmUp { try body() }
        let clock = ContinuousClock()
        let usage = BenchUsage.now()
        let start = clock.now
        var count = 0
        var elapsed = Duration.zero
        repeat {
            for _ in 0..<batch { try body() }
            count += batch
            elapsed = clock.now - start
        } while elapsed < duration
        let cpu = BenchUsage.now().cpuSeconds - usage.cpuSeconds
        return BenchSample(operations: count, wallSeconds: seconds(elapsed), cpuSeconds: cpu)
    }

    /// The async form of ``measure(for:warmUp:batch:_:)``: `count` sequential calls.
    static func measure(count: Int, warmUp: Int = 10, _ body: () async throws -> Void) async rethrows -> BenchSample {
        for _ in 0..<warmUp { try await body() }
        let clock = ContinuousClock()
        let usage = BenchUsage.now()
        let start = clock.now
        for _ in 0..<count { try await body() }
        let elapsed = clock.now - start
        return BenchSample(operations: count, wallSeconds: seconds(elapsed), cpuSeconds: BenchUsage.now().cpuSeconds - usage.cpuSeconds)
    }
}

/// A plain libcurl POST loop through the C module (one reused easy handle, keep-alive), with
/// none of WalletBridge's code in the way: the "one round trip" part of a payment.
enum BenchCurlPost {
    /// `count` POSTs of `body` with `headers` to `url` after 10 warm-up POSTs; nil when a
    /// request fails at the transport level (any HTTP status is a completed round trip).
    /// `caBundle` names the trusted CAs for an https `url`.
    static func loop(url: String, body: [UInt8], headers: [String], caBundle: String? = nil, count: Int) -> BenchSample? {
        guard let easy = curl_easy_init() else { return nil }
        defer { curl_easy_cleanup(easy) }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        return body.withUnsafeBufferPointer { bytes -> BenchSample? in
            _ = wb_curl_easy_setopt_string(easy, CURLOPT_URL, url)
            _ = wb_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
            _ = wb_curl_easy_setopt_string(easy, CURLOPT_PROXY, "")
            if let caBundle { _ = wb_curl_easy_setopt_string(easy, CURLOPT_CAINFO, caBundle) }
            _ = wb_curl_easy_setopt_long(easy, CURLOPT_POST, 1)
            _ = wb_curl_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            _ = wb_curl_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, bytes.count)
            _ = wb_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
            _ = wb_curl_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION) { _, size, count, _ in size * count }
            for _ in 0..<10 { guard curl_easy_perform(easy) == CURLE_OK else { return nil } }
            let clock = ContinuousClock()
            let usage = BenchUsage.now()
            let start = clock.now
            for _ in 0..<count { guard curl_easy_perform(easy) == CURLE_OK else { return nil } }
            let elapsed = clock.now - start
            return BenchSample(
                operations: count, wallSeconds: BenchSample.seconds(elapsed), cpuSeconds: BenchUsage.now().cpuSeconds - usage.cpuSeconds)
        }
    }
}

/// The figures' formatting, shared by the bench subcommands.
enum BenchFormat {
    static func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
    static func leftPad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
    static func fixed(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
    /// Rounds for JSON: `digits` decimals.
    static func round(_ value: Double, _ digits: Int = 3) -> Double {
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
    }
}

/// A bench run that could not complete (a payment that did not succeed, a failed request).
struct BenchFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
