import HTTPTypes
import Hummingbird
import Logging
import WalletBridgeCore

/// A merchant's webhook endpoint on loopback, for demos and tests: every POST is handed to
/// `handler` as an `InboundNotification` (raw bytes, headers, path) and the returned
/// acknowledgement is sent back as is. It shows how a notification is wired to any web
/// framework: pass the raw request in, send the acknowledgement out.
public final class WebhookReceiver: Sendable {
    /// Turns a received notification into the reply.
    public typealias Handler = @Sendable (InboundNotification) async -> NotificationAcknowledgement

    /// The port it listens on.
    public var port: Int { server.port }
    private let server: LoopbackServer

    private init(server: LoopbackServer) {
        self.server = server
    }

    /// The URL to give the wallet as notify URL, for `path`.
    public func url(path: String = "/notify") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Starts a receiver on an ephemeral loopback port.
    public static func start(
        logger: Logger = Logger(label: "walletbridge.webhook", factory: { _ in SwiftLogNoOpLogHandler() }), handler: @escaping Handler
    ) async throws -> WebhookReceiver {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let notification = InboundNotification(
                method: request.method.rawValue, path: request.uri.path, headerFields: request.headers,
                body: Array(buffer.readableBytesView))
            let ack = await handler(notification)
            return Response(status: .init(code: ack.status), headers: ack.headerFields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: ack.body)))
        }
        return WebhookReceiver(server: try await LoopbackServer.start(responder: responder, host: "127.0.0.1", port: 0, logger: logger))
    }

    /// Stops the receiver.
    public func shutdown() async {
        await server.shutdown()
    }
}
