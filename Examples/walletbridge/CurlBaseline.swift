import CCurl
import Foundation

/// Plain libcurl loops through the C module, with none of WalletBridge's code in the way: the
/// baseline every transport figure is a ratio against, measured in the same process.
enum CurlBaseline {
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

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
