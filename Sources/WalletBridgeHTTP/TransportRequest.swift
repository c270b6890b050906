import HTTPTypes

/// One HTTP request as a transport sends it: swift-http-types' request head (method, scheme,
/// authority, path and header fields) and the body, which is the exact bytes that go on the
/// wire (and that a signer signed).
///
/// ```swift
/// let request = TransportRequest(
///     method: .post,
///     url: "https://api.example.com/v1/payments/pay",
///     headerFields: [.contentType: "application/json"],
///     body: body
/// )
/// ```
public struct TransportRequest: Sendable, Equatable, CustomStringConvertible {
    /// Method, scheme, authority, path (with the query) and header fields, in sending order.
    public var head: HTTPRequest
    /// Body bytes, sent as they are.
    public var body: [UInt8]
    /// Overrides the transport's whole-request timeout for this request.
    public var timeout: Duration?
    /// Overrides the transport's connect timeout for this request.
    public var connectTimeout: Duration?

    /// Creates a request from a head.
    public init(head: HTTPRequest, body: [UInt8] = [], timeout: Duration? = nil, connectTimeout: Duration? = nil) {
        self.head = head
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// Creates a request for an absolute URL (`https://host:port/path?query`).
    ///
    /// The URL is split into the head's scheme, authority and path; the path keeps the query,
    /// is `/` when the URL has none, and drops any `#fragment` (which is never sent). A string
    /// that is not `scheme://authority...` is not an error here: the head gets no scheme or
    /// authority and the whole string as its path, ``url`` gives the string back, and the
    /// transport refuses the request when it is sent.
    public init(
        method: HTTPRequest.Method,
        url: String,
        headerFields: HTTPFields = [:],
        body: [UInt8] = [],
        timeout: Duration? = nil,
        connectTimeout: Duration? = nil
    ) {
        let parts = TransportRequest.split(url)
        self.init(
            head: HTTPRequest(method: method, scheme: parts.scheme, authority: parts.authority, path: parts.path, headerFields: headerFields),
            body: body,
            timeout: timeout,
            connectTimeout: connectTimeout
        )
    }

    /// The request method (`head.method`).
    public var method: HTTPRequest.Method {
        get { head.method }
        set { head.method = newValue }
    }

    /// The header fields (`head.headerFields`), in sending order. Never log them: unlike this
    /// type's `description`, `HTTPFields`' own prints every value (signatures, tokens).
    public var headerFields: HTTPFields {
        get { head.headerFields }
        set { head.headerFields = newValue }
    }

    /// The absolute URL: `scheme://authority` followed by the path (with the query). For a head
    /// without a scheme or authority, the path alone (see ``init(method:url:headerFields:body:timeout:connectTimeout:)``).
    public var url: String {
        guard let scheme = head.scheme, let authority = head.authority else { return head.path ?? "" }
        return scheme + "://" + authority + (head.path ?? "")
    }

    /// Method, URL and sizes only: header values and bodies may hold signatures or tokens.
    public var description: String { "\(method) \(url) (\(headerFields.count) headers, \(body.count) body bytes)" }

    /// Splits an absolute URL into scheme, authority and path (with the query, without the
    /// fragment); nil scheme and authority, and the whole string as path, when it is not one.
    static func split(_ url: String) -> (scheme: String?, authority: String?, path: String) {
        // On the UTF-8 bytes: every delimiter is ASCII, and String's Character view (grapheme
        // breaking) cost more than the rest of a request's set-up.
        var url = url
        return url.withUTF8 { bytes in
            // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "://".
            guard let first = bytes.first, isLetter(first) else { return (nil, nil, String(decoding: bytes, as: UTF8.self)) }
            var schemeEnd = 1
            while schemeEnd < bytes.count, isSchemeByte(bytes[schemeEnd]) { schemeEnd += 1 }
            guard bytes.count - schemeEnd >= 3, bytes[schemeEnd] == UInt8(ascii: ":"), bytes[schemeEnd + 1] == UInt8(ascii: "/"),
                bytes[schemeEnd + 2] == UInt8(ascii: "/")
            else { return (nil, nil, String(decoding: bytes, as: UTF8.self)) }
            let authorityStart = schemeEnd + 3
            var authorityEnd = authorityStart
            while authorityEnd < bytes.count, !isAuthorityEnd(bytes[authorityEnd]) { authorityEnd += 1 }
            guard authorityEnd > authorityStart else { return (nil, nil, String(decoding: bytes, as: UTF8.self)) }
            var pathEnd = authorityEnd
            while pathEnd < bytes.count, bytes[pathEnd] != UInt8(ascii: "#") { pathEnd += 1 }
            let scheme = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<schemeEnd]), as: UTF8.self)
            let authority = String(decoding: UnsafeBufferPointer(rebasing: bytes[authorityStart..<authorityEnd]), as: UTF8.self)
            let path = String(decoding: UnsafeBufferPointer(rebasing: bytes[authorityEnd..<pathEnd]), as: UTF8.self)
            if path.isEmpty { return (scheme, authority, "/") }
            if bytes[authorityEnd] == UInt8(ascii: "?") { return (scheme, authority, "/" + path) }
            return (scheme, authority, path)
        }
    }

    private static func isAuthorityEnd(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#")
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || (0x30...0x39).contains(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }
}
