import CCurl
import HTTPTypes
import WalletBridgeHTTP

/// One request on one curl easy handle: its options, the buffers curl writes into, and the
/// continuation that receives the outcome. Touched by the submitting task until it is handed
/// to the loop, then only by the loop thread.
final class CurlTransfer: @unchecked Sendable {
    let id: UInt64
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let maxResponseBytes: Int
    private var body: [UInt8] = []
    /// Bytes in the request body, to tell a request cut short from one written whole.
    private var requestBodyBytes = 0
    private var headerFields = HTTPFields()
    private var overflowed = false
    /// Set when the response had more header fields than ``maxResponseHeaderFields``.
    private var tooManyHeaderFields = false
    /// Set by the header and body callbacks: curl delivered at least one byte of a response.
    private var receivedResponseBytes = false
    /// This transfer is itself the one resend after a stale connection: it never asks for another.
    private let freshConnection: Bool
    private var continuation: CheckedContinuation<CurlCompletion, Never>?
    /// Set by the task's cancellation handler, from any thread.
    let cancellationRequested = Locked(false)

    private let pool: CurlEasyPool

    /// - Parameter freshConnection: open a new connection instead of reusing a cached one
    ///   (`CURLOPT_FRESH_CONNECT`), for the resend after a stale connection died.
    init(
        id: UInt64,
        request: TransportRequest,
        configuration: CurlTransportConfiguration,
        pool: CurlEasyPool,
        freshConnection: Bool = false
    ) throws(TransportError) {
        guard let easy = pool.take() else {
            throw TransportError(.other, "curl_easy_init failed", mayHaveReachedServer: false)
        }
        self.id = id
        self.easy = easy
        self.pool = pool
        self.freshConnection = freshConnection
        self.maxResponseBytes = configuration.maxResponseBytes
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        do {
            try configure(request, configuration)
        } catch {
            release()
            throw error
        }
    }

    deinit { release() }

    private var released = false

    private func release() {
        guard !released else { return }
        released = true
        pool.give(easy)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    private func configure(_ request: TransportRequest, _ configuration: CurlTransportConfiguration) throws(TransportError) {
        let lowerURL = request.url.lowercased()
        guard lowerURL.hasPrefix("http://") || lowerURL.hasPrefix("https://") else {
            throw TransportError(.other, "only http and https URLs are supported, got \(request.url.prefix(16))...", mayHaveReachedServer: false)
        }
        try check(wb_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")
        try check(wb_curl_easy_setopt_string(easy, CURLOPT_URL, request.url), "URL")
        try check(wb_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS_STR")
        try check(wb_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        try check(wb_curl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1), "TCP_KEEPALIVE")
        if freshConnection {
            try check(wb_curl_easy_setopt_long(easy, CURLOPT_FRESH_CONNECT, 1), "FRESH_CONNECT")
        }
        let connect = (request.connectTimeout ?? configuration.connectTimeout).curlMilliseconds
        let total = (request.timeout ?? configuration.requestTimeout).curlMilliseconds
        try check(wb_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, connect), "CONNECTTIMEOUT_MS")
        try check(wb_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, total), "TIMEOUT_MS")

        let method = request.method.rawValue.uppercased()
        guard !method.isEmpty, method.utf8.allSatisfy({ (0x41...0x5A).contains($0) }) else {
            throw TransportError(.other, "invalid HTTP method \(request.method)", mayHaveReachedServer: false)
        }
        requestBodyBytes = request.body.count
        switch method {
        case "GET" where request.body.isEmpty:
            try check(wb_curl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1), "HTTPGET")
        case "HEAD":
            try check(wb_curl_easy_setopt_long(easy, CURLOPT_NOBODY, 1), "NOBODY")
        default:
            if method != "POST" {
                try check(wb_curl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method), "CUSTOMREQUEST")
            }
            try check(wb_curl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)), "POSTFIELDSIZE")
            // COPYPOSTFIELDS copies the bytes, so the body may go away before the transfer ends.
            let status = request.body.withUnsafeBytes { raw -> CURLcode in
                let empty: [CChar] = [0]
                if raw.isEmpty {
                    return empty.withUnsafeBufferPointer { wb_curl_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
                }
                return wb_curl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
            }
            try check(status, "COPYPOSTFIELDS")
        }

        var lines: [String] = []
        let fields = request.headerFields
        for field in fields {
            guard CurlTransfer.isValidHeader(field) else {
                throw TransportError(
                    .other, "header \(field.name) has a name or value that cannot be sent (control characters)", mayHaveReachedServer: false)
            }
            lines.append("\(field.name.rawName): \(field.value)")
        }
        // No "Expect: 100-continue" round trip, and no form content type nobody asked for.
        if !fields.contains(.expect) { lines.append("Expect:") }
        if !fields.contains(.contentType) { lines.append("Content-Type:") }
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                throw TransportError(.other, "out of memory building headers", mayHaveReachedServer: false)
            }
            headerList = appended
        }
        try check(wb_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList), "HTTPHEADER")

        // TLS 1.2 is the floor whatever the system's OpenSSL policy allows.
        try check(wb_curl_easy_setopt_long(easy, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2)), "SSLVERSION")
        try check(wb_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, configuration.verifyTLS ? 1 : 0), "SSL_VERIFYPEER")
        try check(wb_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, configuration.verifyTLS ? 2 : 0), "SSL_VERIFYHOST")
        if let ca = configuration.caBundlePath {
            try check(wb_curl_easy_setopt_string(easy, CURLOPT_CAINFO, ca), "CAINFO")
        }
        if let client = configuration.clientCertificate {
            try check(wb_curl_easy_setopt_string(easy, CURLOPT_SSLCERT, client.certificatePath), "SSLCERT")
            if let key = client.privateKeyPath {
                try check(wb_curl_easy_setopt_string(easy, CURLOPT_SSLKEY, key), "SSLKEY")
            }
            if let password = client.keyPassword {
                try check(wb_curl_easy_setopt_string(easy, CURLOPT_KEYPASSWD, password), "KEYPASSWD")
            }
        }
        // An empty proxy string stops curl from picking one up from http_proxy and friends:
        // where requests go is decided by the configuration alone.
        try check(wb_curl_easy_setopt_string(easy, CURLOPT_PROXY, configuration.proxy ?? ""), "PROXY")

        let me = Unmanaged.passUnretained(self).toOpaque()
        try check(wb_curl_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteBody), "WRITEFUNCTION")
        try check(wb_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me), "WRITEDATA")
        try check(wb_curl_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader), "HEADERFUNCTION")
        try check(wb_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me), "HEADERDATA")
    }

    private func check(_ code: CURLcode, _ option: String) throws(TransportError) {
        guard code == CURLE_OK else {
            let text = String(cString: curl_easy_strerror(code))
            throw TransportError(.other, "curl option \(option) refused: \(text)", mayHaveReachedServer: false, curlCode: Int(code.rawValue))
        }
    }

    /// `HTTPField` already holds only a valid name and a value with control characters
    /// replaced; this checks again what would break the request line framing, at no cost.
    private static func isValidHeader(_ field: HTTPField) -> Bool {
        let name = field.name.rawName
        let tokenOK = !name.isEmpty && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }
        let valueOK = field.value.utf8.allSatisfy { $0 != 0x0D && $0 != 0x0A && $0 != 0x00 }
        return tokenOK && valueOK
    }

    // MARK: Callbacks from curl (loop thread)

    fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        receivedResponseBytes = true
        guard body.count + bytes.count <= maxResponseBytes else {
            overflowed = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// Most header fields one response may carry: far above any real one, and below
    /// `HTTPFields`' own limit (which it enforces by trapping).
    static let maxResponseHeaderFields = 10_000

    /// Takes one header line; false (which makes curl abort the transfer) when the response
    /// has more than ``maxResponseHeaderFields`` fields.
    fileprivate func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        receivedResponseBytes = true
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        let line = String(decoding: bytes[..<end], as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            headerFields = HTTPFields()  // a new status line (after 1xx): only the final headers count
            return true
        }
        guard let colon = line.firstIndex(of: ":") else { return true }
        // A name that is not a valid token (RFC 9110) cannot be an `HTTPField.Name`: such a
        // field is skipped, as no adapter could look it up anyway.
        guard let name = HTTPField.Name(String(line[..<colon])) else { return true }
        guard headerFields.count < CurlTransfer.maxResponseHeaderFields else {
            tooManyHeaderFields = true
            return false
        }
        let value = line[line.index(after: colon)...].trimmingSpaces()
        headerFields.append(HTTPField(name: name, value: value))
        return true
    }

    // MARK: Completion

    func attach(_ continuation: CheckedContinuation<CurlCompletion, Never>) {
        self.continuation = continuation
    }

    func finish(_ completion: CurlCompletion) {
        let continuation = self.continuation
        self.continuation = nil
        continuation?.resume(returning: completion)
    }

    /// Finishes with `result`, which is never one to resend (cancellation, refusal by the loop).
    func finish(_ result: Result<TransportResponse, TransportError>) {
        finish(CurlCompletion(result: result))
    }

    /// Builds the outcome once curl reports the transfer done with `code`.
    func outcome(code: CURLcode) -> CurlCompletion {
        if code == CURLE_OK {
            var status = 0
            _ = wb_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            return CurlCompletion(result: .success(TransportResponse(status: status, headerFields: headerFields, body: body)))
        }
        let stale =
            !freshConnection && !requestFullyWritten
            && CurlTransfer.diedOnStaleConnection(code: code, connectionsOpened: connectionsOpened, receivedResponseBytes: anyResponseByteReceived)
        return CurlCompletion(result: .failure(error(code: code)), diedOnStaleConnection: stale)
    }

    /// The one case a ``CurlTransport`` resends: the transfer ran on a connection it reused
    /// (curl opened none for it), not one response byte came back, and curl says the
    /// connection died (send failed, receive failed, or closed with nothing). Timeouts,
    /// TLS failures, oversized responses and everything else never qualify.
    static func diedOnStaleConnection(code: CURLcode, connectionsOpened: Int, receivedResponseBytes: Bool) -> Bool {
        guard connectionsOpened == 0, !receivedResponseBytes else { return false }
        return code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING
    }

    /// Whether curl delivered any part of a response: a header line or body bytes (the
    /// callbacks), cross-checked with curl's own counters.
    private var anyResponseByteReceived: Bool {
        if receivedResponseBytes { return true }
        var headerBytes = 0
        _ = wb_curl_easy_getinfo_long(easy, CURLINFO_HEADER_SIZE, &headerBytes)
        var bodyBytes: curl_off_t = 0
        _ = wb_curl_easy_getinfo_off_t(easy, CURLINFO_SIZE_DOWNLOAD_T, &bodyBytes)
        return headerBytes > 0 || bodyBytes > 0
    }

    /// How many new connections curl opened for this transfer (0 when it reused one).
    var connectionsOpened: Int {
        var count = 0
        _ = wb_curl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &count)
        return count
    }

    /// Whether the whole request (head and body) was written to the connection: from then on the
    /// server may have acted on it, so the transport never resends it (a payment in doubt is
    /// the payment layer's to settle, by inquiry).
    var requestFullyWritten: Bool {
        guard requestWasSent else { return false }
        var uploaded: curl_off_t = 0
        _ = wb_curl_easy_getinfo_off_t(easy, CURLINFO_SIZE_UPLOAD_T, &uploaded)
        return uploaded >= curl_off_t(requestBodyBytes)
    }

    /// Whether request bytes were written to a connection.
    var requestWasSent: Bool {
        var size = 0
        _ = wb_curl_easy_getinfo_long(easy, CURLINFO_REQUEST_SIZE, &size)
        return size > 0
    }

    func error(code: CURLcode) -> TransportError {
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let raw = Int(code.rawValue)
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return TransportError(.timeout, message, mayHaveReachedServer: requestWasSent, curlCode: raw)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return TransportError(.couldNotConnect, message, mayHaveReachedServer: false, curlCode: raw)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED:
            return TransportError(.tls, message, mayHaveReachedServer: false, curlCode: raw)
        case CURLE_WRITE_ERROR where overflowed:
            return TransportError(.other, "response larger than \(maxResponseBytes) bytes", mayHaveReachedServer: true, curlCode: raw)
        case CURLE_WRITE_ERROR where tooManyHeaderFields:
            return TransportError(
                .other, "response has more than \(CurlTransfer.maxResponseHeaderFields) header fields", mayHaveReachedServer: true, curlCode: raw)
        default:
            return TransportError(.other, message, mayHaveReachedServer: requestWasSent, curlCode: raw)
        }
    }
}

/// How one transfer ended, as the loop hands it back to the sending task.
struct CurlCompletion: Sendable {
    var result: Result<TransportResponse, TransportError>
    /// The transfer failed on a reused connection before any response byte arrived, in a way
    /// that says the connection was dead (see ``CurlTransfer/diedOnStaleConnection(code:connectionsOpened:receivedResponseBytes:)``):
    /// the caller may resend it once on a new connection.
    var diedOnStaleConnection = false
}

private let curlWriteBody: wb_curl_data_callback = { data, size, count, user in
    guard let user else { return 0 }
    let total = size * count
    guard total > 0, let data else { return total }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.appendBody(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
}

private let curlWriteHeader: wb_curl_data_callback = { data, size, count, user in
    guard let user else { return 0 }
    let total = size * count
    guard total > 0, let data else { return total }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}

/// Easy handles kept for reuse: `curl_easy_reset` is much cheaper than a new handle, and a
/// reset handle keeps nothing of the previous request (options, headers, buffers).
final class CurlEasyPool: @unchecked Sendable {
    private let handles = Locked<[UnsafeMutableRawPointer]>([])
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    deinit { handles.withLock { $0.forEach { curl_easy_cleanup($0) } } }

    func take() -> UnsafeMutableRawPointer? {
        handles.withLock { $0.popLast() } ?? curl_easy_init()
    }

    /// Takes back a handle that is no longer part of any multi handle.
    func give(_ easy: UnsafeMutableRawPointer) {
        curl_easy_reset(easy)
        let kept = handles.withLock { pool -> Bool in
            guard pool.count < capacity else { return false }
            pool.append(easy)
            return true
        }
        if !kept { curl_easy_cleanup(easy) }
    }
}
