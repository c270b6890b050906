import CCurl
import Foundation

/// Plain libcurl loops through the C module, with none of WalletBridge's code in the way: the
/// baseline every transport figure is a ratio against, measured in the same process.
enum CurlBaseline {
    /// What a timed loop did.
    struct Run {
        var wall: Duration
        var cpuSeconds: Double
        /// `CURLINFO_NUM_CONNECTS` summed over the timed transfers.
        var connectionsOpened: Int
        /// Transfers that failed or got a non-2xx status.
        var errors: Int
    }

    /// The requests every loop sends: one URL, one body, the same header lines.
    struct Workload {
        var url: String
        var body: [UInt8]
        /// `Name: value` lines, as curl takes them.
        var headerLines: [String]
        /// A PEM bundle of trusted CAs for an https URL (the sandbox's `--tls` test CA).
        var caBundle: String? = nil
    }

    /// Requests per second of one reused easy handle doing `curl_easy_perform` on `url` for
    /// `duration` (after 10 warm-up requests); 0 when a request fails.
    static func easyLoop(url: String, duration: Duration) -> Double {
        guard let easy = curl_easy_init() else { return 0 }
        defer { curl_easy_cleanup(easy) }
        _ = wb_curl_easy_setopt_string(easy, CURLOPT_URL, url)
        _ = wb_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = wb_curl_easy_setopt_string(easy, CURLOPT_PROXY, "")
        _ = wb_curl_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION) { _, size, count, _ in size * count }
        let clock = ContinuousClock()
        for _ in 0..<10 { _ = curl_easy_perform(easy) }
        let start = clock.now
        var count = 0
        while clock.now - start < duration {
            guard curl_easy_perform(easy) == CURLE_OK else { return 0 }
            count += 1
        }
        return Double(count) / seconds(clock.now - start)
    }

    /// `requests` POSTs of `workload`, one after another on one reused easy handle
    /// (`curl_easy_perform`), after `warmUp` untimed ones.
    static func easyPosts(_ workload: Workload, requests: Int, warmUp: Int) -> Run {
        CurlGlobalInit.once()
        var prepared = Prepared(workload)
        defer { prepared.free() }
        guard let easy = prepared.makeEasy() else { return Run(wall: .zero, cpuSeconds: 0, connectionsOpened: 0, errors: requests) }
        defer { curl_easy_cleanup(easy) }
        for _ in 0..<warmUp { _ = curl_easy_perform(easy) }
        var opened = 0
        var errors = 0
        let meter = Meter()
        for _ in 0..<requests {
            if curl_easy_perform(easy) != CURLE_OK || !succeeded(easy) { errors += 1 }
            opened += connects(easy)
        }
        let (wall, cpu) = meter.read()
        return Run(wall: wall, cpuSeconds: cpu, connectionsOpened: opened, errors: errors)
    }

    /// `requests` POSTs of `workload` through one multi handle with `concurrency` transfers in
    /// flight (each finished easy handle is added again at once), after `warmUp` untimed
    /// ones. The multi handle has the same pool caps as a `CurlTransport`'s.
    static func multiPosts(
        _ workload: Workload, requests: Int, concurrency: Int, warmUp: Int, maxConnectionsPerHost: Int, maxTotalConnections: Int
    ) -> Run {
        CurlGlobalInit.once()
        var prepared = Prepared(workload)
        defer { prepared.free() }
        guard let multi = curl_multi_init() else { return Run(wall: .zero, cpuSeconds: 0, connectionsOpened: 0, errors: requests) }
        defer { curl_multi_cleanup(multi) }
        _ = wb_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        _ = wb_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxTotalConnections)
        _ = wb_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxTotalConnections)
        let handles = (0..<max(1, min(concurrency, max(requests, warmUp)))).compactMap { _ in prepared.makeEasy() }
        defer { handles.forEach { curl_easy_cleanup($0) } }
        _ = drive(multi, handles, count: warmUp)
        let meter = Meter()
        let (opened, errors) = drive(multi, handles, count: requests)
        let (wall, cpu) = meter.read()
        return Run(wall: wall, cpuSeconds: cpu, connectionsOpened: opened, errors: errors)
    }

    /// Runs `count` transfers over `handles`, re-adding each as it finishes.
    private static func drive(_ multi: UnsafeMutableRawPointer, _ handles: [UnsafeMutableRawPointer], count: Int) -> (opened: Int, errors: Int) {
        guard !handles.isEmpty else { return (0, count) }
        var started = 0
        var done = 0
        var opened = 0
        var errors = 0
        for easy in handles where started < count {
            curl_multi_add_handle(multi, easy)
            started += 1
        }
        var running: Int32 = 0
        var queued: Int32 = 0
        while done < count {
            curl_multi_perform(multi, &running)
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                if wb_curl_msg_result(message) != CURLE_OK || !succeeded(easy) { errors += 1 }
                opened += connects(easy)
                done += 1
                curl_multi_remove_handle(multi, easy)
                if started < count {
                    curl_multi_add_handle(multi, easy)
                    started += 1
                }
            }
            if done < count { curl_multi_poll(multi, nil, 0, 1000, nil) }
        }
        return (opened, errors)
    }

    private static func succeeded(_ easy: UnsafeMutableRawPointer) -> Bool {
        var status = 0
        _ = wb_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return (200..<300).contains(status)
    }

    private static func connects(_ easy: UnsafeMutableRawPointer) -> Int {
        var count = 0
        _ = wb_curl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &count)
        return count
    }

    /// The workload in C memory, for easy handles that point at it.
    private struct Prepared {
        let url: String
        let caBundle: String?
        let body: UnsafeMutableRawPointer
        let bodyCount: Int
        var headers: UnsafeMutablePointer<curl_slist>?

        init(_ workload: Workload) {
            url = workload.url
            caBundle = workload.caBundle
            bodyCount = workload.body.count
            body = .allocate(byteCount: max(1, bodyCount), alignment: 1)
            workload.body.withUnsafeBytes { raw in
                if let source = raw.baseAddress { body.copyMemory(from: source, byteCount: raw.count) }
            }
            // As CurlTransport does: no "Expect: 100-continue" round trip.
            for line in workload.headerLines + ["Expect:"] { headers = curl_slist_append(headers, line) }
        }

        func makeEasy() -> UnsafeMutableRawPointer? {
            guard let easy = curl_easy_init() else { return nil }
            _ = wb_curl_easy_setopt_string(easy, CURLOPT_URL, url)
            _ = wb_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
            _ = wb_curl_easy_setopt_string(easy, CURLOPT_PROXY, "")
            if let caBundle { _ = wb_curl_easy_setopt_string(easy, CURLOPT_CAINFO, caBundle) }
            _ = wb_curl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodyCount))
            _ = wb_curl_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, body)
            _ = wb_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headers)
            _ = wb_curl_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION) { _, size, count, _ in size * count }
            return easy
        }

        mutating func free() {
            curl_slist_free_all(headers)
            headers = nil
            body.deallocate()
        }
    }

    private enum CurlGlobalInit {
        static let done: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
        static func once() { _ = done }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension CurlBaseline {
    /// Client CPU (user + system, every thread of this process, `getrusage(RUSAGE_SELF)`) and
    /// monotonic wall time since it was made.
    struct Meter {
        private let clock = ContinuousClock()
        private let start: ContinuousClock.Instant
        private let cpuStart: Double

        init() {
            cpuStart = Meter.cpuSeconds()
            start = clock.now
        }

        /// Wall time and CPU seconds since `init`.
        func read() -> (wall: Duration, cpuSeconds: Double) {
            let wall = clock.now - start
            return (wall, Meter.cpuSeconds() - cpuStart)
        }

        static func cpuSeconds() -> Double {
            let usage = Meter.usage()
            let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
            return user + system
        }

        /// The process's peak resident set so far, in MiB (`ru_maxrss`).
        static func peakResidentMiB() -> Double {
            #if canImport(Darwin)
                return Double(usage().ru_maxrss) / (1024 * 1024)
            #else
                return Double(usage().ru_maxrss) / 1024
            #endif
        }

        private static func usage() -> rusage {
            var usage = rusage()
            #if canImport(Glibc)
                _ = getrusage(RUSAGE_SELF.rawValue, &usage)
            #else
                _ = getrusage(RUSAGE_SELF, &usage)
            #endif
            return usage
        }
    }
}
