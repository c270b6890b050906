/// One HTTP response: status, headers and the body bytes exactly as received, so that a
/// signature can be verified over them.
public struct HTTPResponse: Sendable, Equatable, CustomStringConvertible {
    /// Status code (200, 404...).
    public var status: Int
    /// Header fields of the final response (not of interim 1xx responses).
    public var headers: HTTPHeaders
    /// Body bytes as received.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Status and size only.
    public var description: String { "HTTP \(status) (\(body.count) body bytes)" }
}
