// The notification handler of the WalletBridgeCore documentation (Notifications.md), compiled
// here and run end to end against the sandbox by ArticleExampleTests, which also checks that
// the article's code block is the text between the markers.
// ARTICLE-BEGIN
import Hummingbird
import Logging
import ServiceLifecycle
import WalletBridgeCore

/// Adds `POST path` to `router`: the wallet's notifications for `client`'s wallet arrive there.
/// `fulfil` runs once per paid order, however often the wallet delivers the notification.
func addNotificationRoute(
    to router: Router<BasicRequestContext>,
    path: String,
    client: WalletClient,
    fulfil: @escaping @Sendable (PaymentResult) async -> Void
) {
    router.post(RouterPath(path)) { request, _ -> Response in
        // The raw bytes: the signature covers the body exactly as received, never re-serialised.
        let body = try await request.body.collect(upTo: 1 << 20)
        let inbound = InboundNotification(
            method: request.method.rawValue, path: request.uri.path,
            headerFields: request.headers, body: Array(body.readableBytesView))
        let received: ReceivedNotification
        do throws(WalletError) {
            // Verifies it, claims its deduplication key in the client's journal, confirms it with
            // a status query when the wallet requires it (Paytm), and advances the payment.
            received = try await client.receiveNotification(inbound)
        } catch {
            // Unverifiable (nothing was applied), or the journal could not record the claim:
            // answer an error, so the wallet delivers it again.
            return Response(status: error.category == .journalUnavailable ? .serviceUnavailable : .badRequest)
        }
        switch received.disposition {
        case .apply:
            // First delivery: the payment's new state is recorded. Fulfil only a success.
            if received.fulfilsOrder { await fulfil(received.notification.payment) }
        case .duplicate:
            break  // a redelivery, or about a payment already final: applied before
        case .unconfirmed:
            break  // the status query did not confirm it (yet): a redelivery or an inquiry decides
        }
        // Acknowledge in every case: without the acknowledgement the wallet keeps resending.
        let ack = received.acknowledgement
        return Response(
            status: .init(code: ack.status), headers: ack.headerFields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: ack.body)))
    }
}

/// Serves `POST /webhooks/WALLET` for each client (one per wallet), beside the
/// `PaymentReconciler` that settles whatever stays open, until SIGTERM.
func serveNotifications(
    clients: [WalletClient], port: Int, logger: Logger,
    fulfil: @escaping @Sendable (PaymentResult) async -> Void
) async throws {
    let router = Router()
    for client in clients {
        addNotificationRoute(to: router, path: "/webhooks/\(client.adapter.walletName)", client: client, fulfil: fulfil)
    }
    let app = Application(router: router, configuration: ApplicationConfiguration(address: .hostname("0.0.0.0", port: port)), logger: logger)
    let services = ServiceGroup(services: [app, PaymentReconciler(clients: clients)], gracefulShutdownSignals: [.sigterm], logger: logger)
    try await services.run()
}
// ARTICLE-END
