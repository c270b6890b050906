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
        let bytes = url.utf8
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "://".
        guard let first = bytes.first, isLetter(first) else { return (nil, nil, url) }
        let schemeEnd = bytes.firstIndex { !isSchemeByte($0) } ?? bytes.endIndex
        let afterScheme = url[schemeEnd...]
        guard afterScheme.hasPrefix("://") else { return (nil, nil, url) }
        let rest = afterScheme.dropFirst(3)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.isEmpty else { return (nil, nil, url) }
        var path = rest[authorityEnd...]
        if let fragment = path.firstIndex(of: "#") { path = path[..<fragment] }
        let scheme = String(url[..<schemeEnd])
        if path.isEmpty { return (scheme, String(authority), "/") }
        if path.first == "?" { return (scheme, String(authority), "/" + path) }
        return (scheme, String(authority), String(path))
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || (0x30...0x39).contains(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }
}
