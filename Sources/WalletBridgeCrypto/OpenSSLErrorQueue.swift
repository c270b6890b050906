import COpenSSL

/// Reads and clears OpenSSL's thread-local error queue.
///
/// Every operation clears the queue before it starts and drains it when it fails, so a
/// reason never leaks from one call into another on the same thread.
enum OpenSSLErrorQueue {
    /// Forgets any pending errors.
    static func clear() { ERR_clear_error() }

    /// Drains the queue and returns the reason texts, most recent last, joined by "; ".
    static func drain() -> String? {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if let reason = ERR_reason_error_string(code) {
                reasons.append(String(cString: reason))
            } else {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    /// An error of the given kind carrying OpenSSL's drained reason text.
    static func error(_ kind: CryptoError.Kind, _ message: String) -> CryptoError {
        CryptoError(kind, message, openSSLReason: drain())
    }
}
