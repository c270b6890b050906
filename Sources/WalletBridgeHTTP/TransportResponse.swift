import HTTPTypes

/// One HTTP response: swift-http-types' response head (status and header fields) and the body
/// bytes exactly as received, so that a signature can be verified over them.
public struct TransportResponse: Sendable, Equatable, CustomStringConvertible {
    /// Status and header fields of the final response (not of interim 1xx responses).
    public var head: HTTPResponse
    /// Body bytes as received.
    public var body: [UInt8]

    /// Creates a response from a head.
    public init(head: HTTPResponse, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }

    /// Creates a response with status code `status` (200, 404...).
    ///
    /// A code outside `0...999`, which no HTTP status line can carry, is clamped into that
    /// range rather than trapping.
    public init(status: Int, headerFields: HTTPFields = [:], body: [UInt8] = []) {
        self.init(head: HTTPResponse(status: TransportResponse.status(status), headerFields: headerFields), body: body)
    }

    /// Status code (200, 404...); setting it clamps into `0...999` like ``init(status:headerFields:body:)``.
    public var status: Int {
        get { head.status.code }
        set { head.status = TransportResponse.status(newValue) }
    }

    /// The header fields (`head.headerFields`), in received order. Never log them: unlike this
    /// type's `description`, `HTTPFields`' own prints every value (signatures, tokens).
    public var headerFields: HTTPFields {
        get { head.headerFields }
        set { head.headerFields = newValue }
    }

    /// Status and size only.
    public var description: String { "HTTP \(status) (\(body.count) body bytes)" }

    private static func status(_ code: Int) -> HTTPResponse.Status {
        HTTPResponse.Status(code: min(max(code, 0), 999))
    }
}
