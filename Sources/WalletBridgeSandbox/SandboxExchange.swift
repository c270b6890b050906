import Foundation
import HTTPTypes
import WalletBridgeCore

/// A request as the sandbox's wallet logic sees it, independent of the web framework: what a
/// built-in wallet or a hosted ``SandboxWalletEmulation`` handles.
public struct SandboxRequest: Sendable {
    /// `POST`, `GET`...
    public var method: String
    /// The path, without the query.
    public var path: String
    /// The header fields as received (looked up ignoring case).
    public var headerFields: HTTPFields
    /// The body bytes exactly as received (what a signature covers).
    public var body: [UInt8]
    /// Decoded query parameters.
    public var query: [String: String] = [:]

    /// Creates a request.
    public init(method: String, path: String, headerFields: HTTPFields, body: [UInt8], query: [String: String] = [:]) {
        self.method = method
        self.path = path
        self.headerFields = headerFields
        self.body = body
        self.query = query
    }
}

/// A reply from the sandbox's wallet logic: status, headers and the body bytes to send.
public struct SandboxReply: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The header fields to send.
    public var headerFields: HTTPFields
    /// The body bytes, sent as they are.
    public var body: [UInt8]
    /// Wait this long before answering (an injected fault).
    var delay: Duration?
    /// Send half the body, pause this long, then the rest (an injected fault).
    var slowBody: Duration?

    /// Creates a reply.
    public init(status: Int, headerFields: HTTPFields = [:], body: [UInt8] = []) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
    }

    /// A JSON reply (`Content-Type: application/json; charset=UTF-8`).
    public static func json(_ status: Int, _ body: [UInt8]) -> SandboxReply {
        SandboxReply(status: status, headerFields: [.contentType: "application/json; charset=UTF-8"], body: body)
    }
}

/// Faults queued per path (or for any path), used up one request at a time.
final class SandboxFaults: @unchecked Sendable {
    private let lock = NSLock()
    private var queue: [(path: String?, wallet: String?, operation: String?, fault: SandboxFault)] = []

    func add(_ fault: SandboxFault, path: String?, wallet: String? = nil, operation: String? = nil, count: Int) {
        lock.withLock { for _ in 0..<max(1, count) { queue.append((path, wallet, operation, fault)) } }
    }

    /// Takes the next fault queued for this request (by path, or by wallet and common
    /// operation name), if one is queued; otherwise the fault the plan drew for the request
    /// being handled, if any.
    func take(for path: String, wallet: String? = nil, operation: String? = nil) -> SandboxFault? {
        let queued: SandboxFault? = lock.withLock {
            guard
                let index = queue.firstIndex(where: { entry in
                    (entry.path == nil || entry.path == path) && (entry.wallet == nil || entry.wallet == wallet)
                        && (entry.operation == nil || entry.operation == operation)
                })
            else { return nil }
            return queue.remove(at: index).fault
        }
        return queued ?? SandboxRequestScope.plannedFault
    }

    func clear() { lock.withLock { queue.removeAll() } }
}

/// The sandbox's JSON encoding (sorted keys, so a replay returns the same bytes).
enum SandboxJSON {
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(value))) ?? Array(#"{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U"}}"#.utf8)
    }
}

/// A JSON value for the sandbox's replies built field by field (SNAP bodies).
enum SandboxJSONValue: Encodable, Sendable {
    case string(String)
    case object([String: SandboxJSONValue])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .object(let fields): try container.encode(fields)
        }
    }
}
