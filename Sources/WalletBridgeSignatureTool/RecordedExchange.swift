/// One HTTP exchange as it was sent and received, to be written as signature cases.
public struct RecordedExchange: Sendable {
    /// The request method (`POST`).
    public var method: String
    /// The request's URL path.
    public var path: String
    /// The request's header fields, by lower-cased name.
    public var requestHeaders: [String: String]
    /// The request body as sent.
    public var requestBody: [UInt8]
    /// The HTTP status of the reply (0 when none arrived).
    public var status: Int
    /// The reply's header fields, by lower-cased name.
    public var responseHeaders: [String: String]
    /// The reply body as received.
    public var responseBody: [UInt8]

    /// Creates a record; header names are lower-cased here.
    public init(
        method: String, path: String, requestHeaders: [String: String], requestBody: [UInt8], status: Int,
        responseHeaders: [String: String], responseBody: [UInt8]
    ) {
        self.method = method
        self.path = path
        self.requestHeaders = Dictionary(requestHeaders.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.requestBody = requestBody
        self.status = status
        self.responseHeaders = Dictionary(responseHeaders.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.responseBody = responseBody
    }
}
