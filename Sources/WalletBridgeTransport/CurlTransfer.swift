import CCurl
import HTTPTypes
import WalletBridgeHTTP

/// One request on one pooled curl easy handle: the buffers curl writes the response into,
/// and the continuation that receives the outcome. Touched by the submitting task until it is
/// handed to the loop, then only by the loop thread (``cancellationRequested`` excepted, which
/// the loop's lock guards). One thread at a time is also why its stored properties skip the
/// runtime's exclusivity bookkeeping (`@exclusivity(unchecked)`): it cost about 1,500
/// instructions per request in callgrind, for accesses that can never overlap.
final class CurlTransfer: @unchecked Sendable {
    /// The handle, and the pool it goes back to once the transfer is over.
    let easy: CurlEasy
    private let pool: CurlEasyPool
    private let maxResponseBytes: Int
    @exclusivity(unchecked) private var body: [UInt8] = []
    /// Bytes in the request body, to tell a request cut short from one written whole.
    private let requestBodyBytes: Int
    @exclusivity(unchecked) private var headerFields = HTTPFields()
    @exclusivity(unchecked) private var overflowed = false
    /// Set when the response had more header fields than ``maxResponseHeaderFields``.
    @exclusivity(unchecked) private var tooManyHeaderFields = false
    /// Set by the header and body callbacks: curl delivered at least one byte of a response.
    @exclusivity(unchecked) private var receivedResponseBytes = false
    /// This transfer is itself the one resend after a stale connection: it never asks for another.
    private let freshConnection: Bool
    @exclusivity(unchecked) private var continuation: UnsafeContinuation<CurlCompletion, Never>?
    /// Set when the calling task was cancelled; guarded by the loop's lock (``CurlMultiLoop``).
    @exclusivity(unchecked) var cancellationRequested = false
    /// Whether the transfer is in the multi handle now; the loop thread's alone.
    @exclusivity(unchecked) var inMulti = false

    /// - Parameter freshConnection: open a new connection instead of reusing a cached one
    ///   (`CURLOPT_FRESH_CONNECT`), for the resend after a stale connection died.
    init(
        request: TransportRequest,
        configuration: CurlTransportConfiguration,
        easy: CurlEasy,
        pool: CurlEasyPool,
        freshConnection: Bool = false
    ) throws(TransportError) {
        self.easy = easy
        self.pool = pool
        self.freshConnection = freshConnection
        self.maxResponseBytes = configuration.maxResponseBytes
        requestBodyBytes = request.body.count
        do {
            try easy.prepare(request, for: self, freshConnection: freshConnection)
        } catch {
            easy.markDirty()
            released = true
            pool.give(easy)
            throw error
        }
    }

    @exclusivity(unchecked) private var released = false

    /// Gives the handle back to the pool (once); the transfer must not touch it afterwards.
    private func release() {
        guard !released else { return }
        released = true
        pool.give(easy)
    }

    private func check(_ code: CURLcode, _ option: String) throws(TransportError) {
        guard code == CURLE_OK else {
            let text = String(cString: curl_easy_strerror(code))
            throw TransportError(.other, "curl option \(option) refused: \(text)", mayHaveReachedServer: false, curlCode: Int(code.rawValue))
        }
    }

    // MARK: Callbacks from curl (loop thread)

    fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        receivedResponseBytes = true
        guard body.count + bytes.count <= maxResponseBytes else {
            overflowed = true
            return false
        }
        body.append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
        return true
    }

    /// Most header fields one response may carry: far above any real one, and below
    /// `HTTPFields`' own limit (which it enforces by trapping).
    static let maxResponseHeaderFields = 10_000

    /// Most body bytes reserved up front from a `Content-Length`.
    static let maxReservedBodyBytes = 256 << 10

    /// Takes one header line, parsed on its bytes; false (which makes curl abort the transfer)
    /// when the response has more than ``maxResponseHeaderFields`` fields.
    fileprivate func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        receivedResponseBytes = true
        guard let line = CurlHeaderLine(bytes) else { return true }
        switch line {
        case .statusLine:
            // A new status line (after 1xx): only the final response's fields count.
            if !headerFields.isEmpty { headerFields = HTTPFields() }
            return true
        case .field(let nameBytes, let valueBytes):
            // A name that is not a valid token (RFC 9110) cannot be an `HTTPField.Name`: such
            // a field is skipped, as no adapter could look it up anyway.
            guard let name = easy.fieldName(nameBytes) else { return true }
            guard headerFields.count < CurlTransfer.maxResponseHeaderFields else {
                tooManyHeaderFields = true
                return false
            }
            // Room for the announced body at once (bounded: a server's word is not a reason to
            // set aside megabytes; larger bodies grow as they arrive).
            if name == .contentLength, let length = CurlHeaderLine.decimal(valueBytes), length > body.capacity {
                body.reserveCapacity(min(length, maxResponseBytes, CurlTransfer.maxReservedBodyBytes))
            }
            headerFields.append(HTTPField(name: name, value: String(decoding: valueBytes, as: UTF8.self)))
            return true
        }
    }

    // MARK: Completion

    func attach(_ continuation: UnsafeContinuation<CurlCompletion, Never>) {
        self.continuation = continuation
    }

    /// Hands the handle back to the pool, then `completion` to the waiting task (once).
    func finish(_ completion: CurlCompletion) {
        release()
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
            _ = wb_curl_easy_getinfo_long(easy.handle, CURLINFO_RESPONSE_CODE, &status)
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
        _ = wb_curl_easy_getinfo_long(easy.handle, CURLINFO_HEADER_SIZE, &headerBytes)
        var bodyBytes: curl_off_t = 0
        _ = wb_curl_easy_getinfo_off_t(easy.handle, CURLINFO_SIZE_DOWNLOAD_T, &bodyBytes)
        return headerBytes > 0 || bodyBytes > 0
    }

    /// How many new connections curl opened for this transfer (0 when it reused one).
    var connectionsOpened: Int {
        var count = 0
        _ = wb_curl_easy_getinfo_long(easy.handle, CURLINFO_NUM_CONNECTS, &count)
        return count
    }

    /// Whether the whole request (head and body) was written to the connection: from then on the
    /// server may have acted on it, so the transport never resends it (a payment in doubt is
    /// the payment layer's to settle, by inquiry).
    var requestFullyWritten: Bool {
        guard requestWasSent else { return false }
        var uploaded: curl_off_t = 0
        _ = wb_curl_easy_getinfo_off_t(easy.handle, CURLINFO_SIZE_UPLOAD_T, &uploaded)
        return uploaded >= curl_off_t(requestBodyBytes)
    }

    /// Whether request bytes were written to a connection.
    var requestWasSent: Bool {
        var size = 0
        _ = wb_curl_easy_getinfo_long(easy.handle, CURLINFO_REQUEST_SIZE, &size)
        return size > 0
    }

    /// Whether curl's message is the server's TLS alert refusing our certificate (OpenSSL's
    /// `... SSL routines::tlsv13 alert certificate required`, `tlsv1 alert unknown ca`...) on a
    /// connection opened for this transfer that returned nothing: not a plain socket error, and
    /// not an alert on a connection that was already carrying requests.
    private func refusedCertificate(_ message: String) -> Bool {
        guard connectionsOpened > 0, !anyResponseByteReceived, message.contains(" alert ") else { return false }
        return Self.certificateAlerts.contains { message.contains($0) }
    }

    /// The alerts a server sends when it refuses the client's certificate (RFC 8446, 6.2).
    static let certificateAlerts = [
        "alert certificate required", "alert unknown ca", "alert bad certificate", "alert certificate unknown",
        "alert certificate revoked", "alert certificate expired", "alert unsupported certificate", "alert access denied",
    ]

    func error(code: CURLcode) -> TransportError {
        let detail = String(cString: easy.errorBuffer)
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
        case CURLE_SEND_ERROR where refusedCertificate(message), CURLE_RECV_ERROR where refusedCertificate(message):
            // TLS 1.3: the client's side of the handshake ends before the server's verdict, so a
            // refused client certificate (missing, or of an unknown CA) arrives as an alert on
            // the first read or write of a new connection. The request may have been written:
            // the server's TLS layer dropped it, but nothing here can prove that, so
            // `mayHaveReachedServer` stays as curl's counters say (a payment is then `unknown`,
            // never "not sent").
            return TransportError(.tls, message, mayHaveReachedServer: requestWasSent, curlCode: raw)
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

let curlWriteBody: wb_curl_data_callback = { data, size, count, user in
    guard let user else { return 0 }
    let total = size * count
    guard total > 0, let data else { return total }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.appendBody(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
}

let curlWriteHeader: wb_curl_data_callback = { data, size, count, user in
    guard let user else { return 0 }
    let total = size * count
    guard total > 0, let data else { return total }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
}
