/// The parts of an Alipay+ message that its signature covers, and the content built from them:
/// `METHOD + " " + path + "\n" + clientId + "." + time + "." + body`.
///
/// Three variants share the formula and differ in where the parts come from: a request signs
/// its own method, path and `Request-Time`; a response is signed over the *request's* method
/// and path with the response's `Client-Id` and `Response-Time`; a notification is a `POST` to
/// the path our server received, with its `Request-Time`. `keyVersion` is never covered.
public struct AlipayPlusSignedMessage: Sendable, Equatable {
    /// Which message the signature belongs to.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// A request from the merchant or acquirer to the platform.
        case request
        /// The platform's response to a request.
        case response
        /// A notification from the platform to the merchant's notify URL.
        case notification
    }

    /// Which message this is.
    public let kind: Kind
    /// HTTP method, upper case.
    public let method: String
    /// URI path, no query string.
    public let path: String
    /// `Client-Id` header value.
    public let clientId: String
    /// `Request-Time` or `Response-Time` header text, exactly as sent.
    public let time: String
    /// Exact body bytes (UTF-8), possibly empty.
    public let body: [UInt8]

    /// A request we send (or the sandbox receives).
    public static func request(method: String = "POST", path: String, clientId: String, requestTime: String, body: [UInt8]) -> Self {
        Self(kind: .request, method: method, path: path, clientId: clientId, time: requestTime, body: body)
    }

    /// A response to a request sent with `requestMethod` to `requestPath`.
    public static func response(requestMethod: String = "POST", requestPath: String, clientId: String, responseTime: String, body: [UInt8]) -> Self {
        Self(kind: .response, method: requestMethod, path: requestPath, clientId: clientId, time: responseTime, body: body)
    }

    /// A notification sent (always `POST` in practice) to `path` on our server.
    public static func notification(method: String = "POST", path: String, clientId: String, requestTime: String, body: [UInt8]) -> Self {
        Self(kind: .notification, method: method, path: path, clientId: clientId, time: requestTime, body: body)
    }

    /// The exact bytes that are signed.
    public var contentToSign: [UInt8] {
        Array("\(method.uppercased()) \(path)\n\(clientId).\(time).".utf8) + body
    }
}
