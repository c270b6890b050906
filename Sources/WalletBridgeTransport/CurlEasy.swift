import CCurl
import Foundation
import HTTPTypes
import WalletBridgeHTTP

/// One curl easy handle kept across requests, with everything that never changes between
/// them (TLS, proxy, callbacks, idle age, error buffer) set once, and reusable memory for
/// what does (the request body, the header list, the response's field names).
///
/// A request sets only what is its own: URL (when it differs from the last one), deadlines
/// (when they differ), body, header list and the transfer the callbacks write into. A
/// request of another shape (method, fresh connection) first resets the handle
/// (`curl_easy_reset`) and sets the fixed options again, so nothing of one shape leaks into
/// another.
///
/// Owned by one party at a time: the pool, a submitting task (while it configures), or the
/// loop thread (while curl runs the transfer): its stored properties skip the runtime's
/// exclusivity bookkeeping (`@exclusivity(unchecked)`), which guarded nothing here and cost
/// about 1,000 instructions per request (a dozen accesses while building the header list).
final class CurlEasy: @unchecked Sendable {
    /// The method-related options set on the handle, which a request of another shape must not
    /// inherit.
    enum Shape: Equatable {
        /// Fresh from `curl_easy_init` or `curl_easy_reset`: only the fixed options are set.
        case reset
        /// `CURLOPT_HTTPGET`.
        case get
        /// `CURLOPT_NOBODY`.
        case head
        /// A body through `CURLOPT_POSTFIELDS`, with `CURLOPT_CUSTOMREQUEST` when not POST.
        case body(customMethod: String?)
        /// Unknown (a configuration failed half-way): reset before the next use.
        case dirty
    }

    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>
    private let configuration: CurlTransportConfiguration
    @exclusivity(unchecked) private var shape = Shape.reset
    @exclusivity(unchecked) private var fresh = false
    @exclusivity(unchecked) private var lastScheme: String?
    @exclusivity(unchecked) private var lastAuthority: String?
    @exclusivity(unchecked) private var lastPath: String?
    @exclusivity(unchecked) private var lastConnectTimeout = -1
    @exclusivity(unchecked) private var lastTimeout = -1
    @exclusivity(unchecked) private var requestBody = ByteStorage()
    @exclusivity(unchecked) private var headerBytes = ByteStorage()
    @exclusivity(unchecked) private var headerNodes: UnsafeMutablePointer<curl_slist>?
    @exclusivity(unchecked) private var headerNodeCapacity = 0
    /// Offsets of the header lines in `headerBytes`, kept to spare an allocation per request.
    @exclusivity(unchecked) private var lineStarts: [Int] = []
    /// Response field names seen on this handle, reused when the same bytes come again (a
    /// server sends the same names on every response).
    @exclusivity(unchecked) private var knownNames: [HTTPField.Name] = []
    private static let knownNamesLimit = 32

    init?(configuration: CurlTransportConfiguration) {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        self.configuration = configuration
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        guard setFixedOptions() == nil else {
            curl_easy_cleanup(handle)
            errorBuffer.deallocate()
            return nil
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
        headerNodes?.deallocate()
        requestBody.free()
        headerBytes.free()
    }

    /// Sets the options every request shares; the name of the one curl refused, if any.
    private func setFixedOptions() -> (String, CURLcode)? {
        func set(_ code: CURLcode, _ name: String) -> (String, CURLcode)? { code == CURLE_OK ? nil : (name, code) }
        let easy = handle
        let configuration = self.configuration
        let limits = configuration.poolLimits
        if let failed = set(wb_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER") { return failed }
        if let failed = set(wb_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS_STR") { return failed }
        if let failed = set(wb_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "NOSIGNAL") { return failed }
        if let failed = set(wb_curl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1), "TCP_KEEPALIVE") { return failed }
        if let failed = set(wb_curl_easy_setopt_long(easy, CURLOPT_MAXAGE_CONN, limits.idleSeconds), "MAXAGE_CONN") { return failed }
        // TLS 1.2 is the floor whatever the system's OpenSSL policy allows.
        if let failed = set(wb_curl_easy_setopt_long(easy, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2)), "SSLVERSION") { return failed }
        if let failed = set(wb_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, configuration.verifyTLS ? 1 : 0), "SSL_VERIFYPEER") {
            return failed
        }
        if let failed = set(wb_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, configuration.verifyTLS ? 2 : 0), "SSL_VERIFYHOST") {
            return failed
        }
        if let ca = configuration.caBundlePath, let failed = set(wb_curl_easy_setopt_string(easy, CURLOPT_CAINFO, ca), "CAINFO") { return failed }
        if let client = configuration.clientCertificate {
            if let failed = set(wb_curl_easy_setopt_string(easy, CURLOPT_SSLCERT, client.certificatePath), "SSLCERT") { return failed }
            if let key = client.privateKeyPath, let failed = set(wb_curl_easy_setopt_string(easy, CURLOPT_SSLKEY, key), "SSLKEY") {
                return failed
            }
            if let password = client.keyPassword, let failed = set(wb_curl_easy_setopt_string(easy, CURLOPT_KEYPASSWD, password), "KEYPASSWD") {
                return failed
            }
        }
        // An empty proxy string stops curl from picking one up from http_proxy and friends:
        // where requests go is decided by the configuration alone.
        if let failed = set(wb_curl_easy_setopt_string(easy, CURLOPT_PROXY, configuration.proxy ?? ""), "PROXY") { return failed }
        if let failed = set(wb_curl_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteBody), "WRITEFUNCTION") { return failed }
        if let failed = set(wb_curl_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader), "HEADERFUNCTION") { return failed }
        return nil
    }

    /// Readies the handle for `request`, whose callbacks write into `transfer`.
    func prepare(
        _ request: TransportRequest, for transfer: CurlTransfer, freshConnection: Bool
    ) throws(TransportError) {
        errorBuffer[0] = 0
        let head = request.head
        guard let scheme = head.scheme, let authority = head.authority, CurlEasy.isHTTP(scheme) else {
            throw TransportError(.other, "only http and https URLs are supported, got \(request.url.prefix(16))...", mayHaveReachedServer: false)
        }
        let wanted = try CurlEasy.shape(of: request)
        if wanted != shape || freshConnection != fresh || shape == .reset {
            try applyShape(wanted, freshConnection: freshConnection)
        }
        let path = head.path ?? ""
        if scheme != lastScheme || authority != lastAuthority || path != lastPath {
            try check(wb_curl_easy_setopt_string(handle, CURLOPT_URL, scheme + "://" + authority + path), "URL")
            lastScheme = scheme
            lastAuthority = authority
            lastPath = path
        }
        let connect = (request.connectTimeout ?? configuration.connectTimeout).curlMilliseconds
        if connect != lastConnectTimeout {
            try check(wb_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connect), "CONNECTTIMEOUT_MS")
            lastConnectTimeout = connect
        }
        let total = (request.timeout ?? configuration.requestTimeout).curlMilliseconds
        if total != lastTimeout {
            try check(wb_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, total), "TIMEOUT_MS")
            lastTimeout = total
        }
        if case .body = wanted {
            // The bytes are copied into memory this handle owns, so the request may go away
            // before the transfer ends; curl reads them from there (no copy of its own).
            guard let bytes = requestBody.replace(with: request.body) else {
                throw TransportError(.other, "out of memory copying the request body", mayHaveReachedServer: false)
            }
            try check(wb_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)), "POSTFIELDSIZE")
            try check(wb_curl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, bytes), "POSTFIELDS")
        }
        try check(wb_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, try headerList(head.headerFields)), "HTTPHEADER")
        let me = Unmanaged.passUnretained(transfer).toOpaque()
        try check(wb_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, me), "WRITEDATA")
        try check(wb_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, me), "HEADERDATA")
        try check(wb_curl_easy_setopt_pointer(handle, CURLOPT_PRIVATE, me), "PRIVATE")
    }

    /// Marks the handle for a reset before its next request (a configuration failed half-way).
    func markDirty() { shape = .dirty }

    private func applyShape(_ wanted: Shape, freshConnection: Bool) throws(TransportError) {
        if shape != .reset {
            curl_easy_reset(handle)
            shape = .reset
            lastScheme = nil
            lastAuthority = nil
            lastPath = nil
            lastConnectTimeout = -1
            lastTimeout = -1
            if let (name, code) = setFixedOptions() {
                shape = .dirty
                try check(code, name)
            }
        }
        shape = .dirty
        switch wanted {
        case .get:
            try check(wb_curl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1), "HTTPGET")
        case .head:
            try check(wb_curl_easy_setopt_long(handle, CURLOPT_NOBODY, 1), "NOBODY")
        case .body(let custom):
            if let custom { try check(wb_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, custom), "CUSTOMREQUEST") }
        case .reset, .dirty:
            break
        }
        if freshConnection {
            try check(wb_curl_easy_setopt_long(handle, CURLOPT_FRESH_CONNECT, 1), "FRESH_CONNECT")
        }
        shape = wanted
        fresh = freshConnection
    }

    /// GET and HEAD without a body use curl's own requests; every other method (GET with a
    /// body included) sends the body, naming the method when it is not POST.
    static func shape(of request: TransportRequest) throws(TransportError) -> Shape {
        let isUpper: (UInt8) -> Bool = { (0x41...0x5A).contains($0) }
        var method = request.method.rawValue
        if !method.utf8.allSatisfy(isUpper) { method = method.uppercased() }
        guard !method.isEmpty, method.utf8.allSatisfy(isUpper) else {
            throw TransportError(.other, "invalid HTTP method \(request.method)", mayHaveReachedServer: false)
        }
        switch method {
        case "POST": return .body(customMethod: nil)
        case "GET" where request.body.isEmpty: return .get
        case "HEAD": return .head
        default: return .body(customMethod: method)
        }
    }

    private static func isHTTP(_ scheme: String) -> Bool {
        if scheme == "https" || scheme == "http" { return true }
        let lower = scheme.lowercased()
        return lower == "https" || lower == "http"
    }

    /// The request's header lines as a `curl_slist` in this handle's memory (no allocation once
    /// warm), plus `Expect:` and `Content-Type:` (empty: curl sends neither) when the request
    /// has none: no "Expect: 100-continue" round trip, and no form content type nobody asked for.
    private func headerList(_ fields: HTTPFields) throws(TransportError) -> UnsafeMutablePointer<curl_slist>? {
        headerBytes.removeAll()
        lineStarts.removeAll(keepingCapacity: true)
        var hasExpect = false
        var hasContentType = false
        for field in fields {
            let name = field.name
            if name == .expect { hasExpect = true }
            if name == .contentType { hasContentType = true }
            lineStarts.append(headerBytes.count)
            guard headerBytes.appendToken(name.rawName), headerBytes.appendLiteral(": "), headerBytes.appendValue(field.value) else {
                throw TransportError(
                    .other, "header \(name.rawName) has a name or value that cannot be sent (control characters)", mayHaveReachedServer: false)
            }
            headerBytes.appendByte(0)
        }
        if !hasExpect {
            lineStarts.append(headerBytes.count)
            _ = headerBytes.appendLiteral("Expect:")
            headerBytes.appendByte(0)
        }
        if !hasContentType {
            lineStarts.append(headerBytes.count)
            _ = headerBytes.appendLiteral("Content-Type:")
            headerBytes.appendByte(0)
        }
        if lineStarts.count > headerNodeCapacity {
            headerNodes?.deallocate()
            headerNodeCapacity = max(lineStarts.count, 2 * headerNodeCapacity)
            headerNodes = .allocate(capacity: headerNodeCapacity)
        }
        guard let nodes = headerNodes, let base = headerBytes.base else { return nil }
        let text = base.assumingMemoryBound(to: CChar.self)
        for (index, start) in lineStarts.enumerated() {
            let next = index + 1 < lineStarts.count ? nodes + index + 1 : nil
            (nodes + index).initialize(to: curl_slist(data: text + start, next: next))
        }
        return nodes
    }

    /// The field name for `bytes`, from the names this handle has seen when it has seen it
    /// (no allocation), else a new one (nil when it is not a token).
    func fieldName(_ bytes: UnsafeRawBufferPointer) -> HTTPField.Name? {
        for known in knownNames where CurlEasy.equal(known.rawName, bytes) { return known }
        guard let name = HTTPField.Name(String(decoding: bytes, as: UTF8.self)) else { return nil }
        if knownNames.count < CurlEasy.knownNamesLimit { knownNames.append(name) }
        return name
    }

    private static func equal(_ string: String, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var string = string
        return string.withUTF8 { utf8 in
            guard utf8.count == bytes.count else { return false }
            guard let left = utf8.baseAddress, let right = bytes.baseAddress else { return utf8.isEmpty }
            return memcmp(left, right, utf8.count) == 0
        }
    }

    private func check(_ code: CURLcode, _ option: String) throws(TransportError) {
        guard code == CURLE_OK else {
            let text = String(cString: curl_easy_strerror(code))
            throw TransportError(.other, "curl option \(option) refused: \(text)", mayHaveReachedServer: false, curlCode: Int(code.rawValue))
        }
    }
}

/// A growable byte buffer that keeps its memory across uses (for curl to read from).
struct ByteStorage {
    private(set) var base: UnsafeMutableRawPointer?
    private(set) var count = 0
    private var capacity = 0

    mutating func removeAll() { count = 0 }

    /// Replaces the contents with `bytes`; the start of the memory holding them, nil when
    /// memory ran out.
    mutating func replace(with bytes: [UInt8]) -> UnsafeMutableRawPointer? {
        count = 0
        reserve(max(bytes.count, 1))
        guard let base, capacity >= bytes.count else { return nil }
        bytes.withUnsafeBytes { raw in
            if let source = raw.baseAddress { base.copyMemory(from: source, byteCount: raw.count) }
        }
        count = bytes.count
        return base
    }

    mutating func appendByte(_ byte: UInt8) {
        reserve(count + 1)
        base?.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    mutating func appendLiteral(_ text: StaticString) -> Bool {
        appendBytes(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        return true
    }

    /// A field name: visible ASCII without `:`; false (nothing appended) otherwise.
    mutating func appendToken(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard !utf8.isEmpty, utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else { return false }
            appendBytes(UnsafeRawBufferPointer(utf8))
            return true
        }
    }

    /// A field value: anything but CR, LF and NUL (which would break the request's framing).
    mutating func appendValue(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard !utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else { return false }
            appendBytes(UnsafeRawBufferPointer(utf8))
            return true
        }
    }

    private mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(count + bytes.count)
        base?.advanced(by: count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    private mutating func reserve(_ wanted: Int) {
        guard wanted > capacity else { return }
        let grown = max(wanted, 2 * capacity, 256)
        guard let moved = realloc(base, grown) else { return }
        base = moved
        capacity = grown
    }

    /// Frees the memory; the storage is empty afterwards.
    mutating func free() {
        Foundation.free(base)
        base = nil
        count = 0
        capacity = 0
    }
}

/// Easy handles kept for reuse, configured: taking one costs a lock, not a handle's set-up.
final class CurlEasyPool: @unchecked Sendable {
    private let handles = Locked<[CurlEasy]>([])
    private let capacity: Int
    private let configuration: CurlTransportConfiguration

    init(configuration: CurlTransportConfiguration) {
        self.configuration = configuration
        capacity = max(4, configuration.poolLimits.total)
    }

    /// A handle ready for ``CurlEasy/prepare(_:for:freshConnection:)``; nil when curl cannot
    /// make one.
    func take() -> CurlEasy? {
        handles.withLock { $0.popLast() } ?? CurlEasy(configuration: configuration)
    }

    /// Takes back a handle that is no longer part of any multi handle.
    func give(_ easy: CurlEasy) {
        handles.withLock { pool in
            if pool.count < capacity { pool.append(easy) }
        }
    }
}
