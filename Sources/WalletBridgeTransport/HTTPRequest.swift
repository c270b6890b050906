/// One HTTP request as a transport sends it: the body is the exact bytes that go on the wire
/// (and that a signer signed).
public struct HTTPRequest: Sendable, Equatable, CustomStringConvertible {
    /// Method, upper case (`POST`, `GET`...).
    public var method: String
    /// Absolute `http` or `https` URL.
    public var url: String
    /// Header fields, in sending order.
    public var headers: HTTPHeaders
    /// Body bytes, sent as they are.
    public var body: [UInt8]
    /// Overrides the transport's whole-request timeout for this request.
    public var timeout: Duration?
    /// Overrides the transport's connect timeout for this request.
    public var connectTimeout: Duration?

    /// Creates a request.
    public init(
        method: String,
        url: String,
        headers: HTTPHeaders = [:],
        body: [UInt8] = [],
        timeout: Duration? = nil,
        connectTimeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// Method, URL and sizes only: headers and bodies may hold signatures or tokens.
    public var description: String { "\(method) \(url) (\(headers.count) headers, \(body.count) body bytes)" }
}
