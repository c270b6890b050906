import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import WalletBridgeCore

/// The merchant's HTTP API: payments, the wallets' webhooks, metrics and health.
///
/// - `POST /orders/{id}/pay`: body ``OrderPaymentRequest``; pays through the wallet's
///   `WalletClient` with the order id as merchant reference; answers ``OrderPaymentStatus``
///   (200 when final, 202 while open, 400 for a bad body, 409 for an order id reused with other
///   content, 503 when the journal is unavailable).
/// - `GET /orders/{id}?wallet=W`: the payment as the journal holds it, without asking the
///   wallet (404 when the journal has none).
/// - `POST /webhooks/{wallet}` (and `POST /notify/{wallet}`, the path `walletbridge sandbox
///   --notify-base` writes into profiles): the raw request to `WalletClient.receiveNotification`,
///   answered with the wallet's own acknowledgement.
/// - `GET /metrics`: the SDK's metrics and this server's, in Prometheus text format.
/// - `GET /healthz`: 200 `ready` once the journal is open and the server listens, 503 while
///   draining.
struct MerchantRoutes: Sendable {
    let wallets: MerchantWallets
    let registry: PrometheusCollectorRegistry
    /// Where this server's own counters go (the registry's factory).
    let metrics: any MetricsFactory
    let events: MerchantEvents
    let instance: String
    let readiness: Readiness
    let logger: Logger
    /// How long a payment request may spend settling (policy time).
    let settleWithin: Duration
    /// How many policy seconds pass per second.
    let timeScale: Double
    /// The notify URL of each payment, unless the wallet's profile names one: this instance's
    /// `/webhooks/WALLET` at `notifyBase` (set once the port is known).
    let notifyBase: @Sendable () -> String?

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/orders/:id/pay") { request, context -> Response in
            let id = try context.parameters.require("id")
            let body = try await request.body.collect(upTo: 1 << 16)
            return await pay(orderID: id, body: Array(body.readableBytesView))
        }
        router.get("/orders/:id") { request, context -> Response in
            let id = try context.parameters.require("id")
            let wallet = request.uri.queryParameters.get("wallet") ?? ""
            return await status(orderID: id, wallet: wallet)
        }
        for prefix in ["/webhooks", "/notify"] {
            router.post(RouterPath(prefix + "/:wallet")) { request, context -> Response in
                let wallet = try context.parameters.require("wallet")
                let body = try await request.body.collect(upTo: 1 << 20)
                let inbound = InboundNotification(
                    method: request.method.rawValue, path: request.uri.path, headerFields: request.headers, body: Array(body.readableBytesView))
                return await notification(wallet: wallet, inbound)
            }
        }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/healthz") { _, _ -> Response in
            let ready = readiness.isReady
            return Response(
                status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: ready ? "ready\n" : "not ready\n")))
        }
        return router
    }

    // MARK: Payments

    func pay(orderID: String, body: [UInt8]) async -> Response {
        let order: OrderPaymentRequest
        let money: Money
        do {
            order = try JSONDecoder().decode(OrderPaymentRequest.self, from: Data(body))
            money = try order.money()
        } catch {
            return Self.problem(.badRequest, "\(error)")
        }
        guard let client = wallets.clients[order.wallet] else {
            return Self.problem(
                .badRequest, "unknown wallet \(order.wallet) (this server has \(wallets.clients.keys.sorted().joined(separator: ", ")))")
        }
        guard !orderID.isEmpty, orderID.count <= 64 else { return Self.problem(.badRequest, "the order id must be 1 to 64 characters") }
        events.record("pay-accepted", ["wallet": .text(order.wallet), "order": .text(orderID)])
        // The profile's notify URL when it names one (the adapter sends it), else this instance's webhook.
        let notifyURL = wallets.profileNotifyURLs[order.wallet] == nil ? notifyBase().map { $0 + "/webhooks/" + order.wallet } : nil
        let request = PaymentRequest(
            merchantReference: orderID, amount: money, customer: CustomerCredential(order.customer),
            orderDescription: order.description ?? "Order \(orderID)", notifyURL: notifyURL)
        let answer: OrderPaymentStatus
        let status: HTTPResponse.Status
        do throws(WalletError) {
            let started = ContinuousClock.now
            var result: PaymentResult
            do throws(WalletError) {
                result = try await client.pay(request)
            } catch  where error.category == .inconsistentRequest {
                // Another instance took the same order at the same instant and journalled it first,
                // with its own pinned inputs (a SNAP validity drawn from its clock): asked again, the
                // client pays with what the journal pinned. Other content is refused again (409).
                result = try await client.pay(request)
            }
            let left = settleWithin - (ContinuousClock.now - started) * timeScale
            // A configuration error is not a payment to wait for: the client already stopped.
            let stopped = (result.status.error ?? result.lastError)?.diagnosis?.stopsWaiting == true
            if !result.status.isFinal, !stopped, left > .zero {
                // Still open (a pending the wallet decides later, an unknown): settle by the
                // wallet's rule within what is left of the budget, as `walletbridge pay` does.
                result = try await client.settle(merchantReference: orderID, within: left)
            }
            answer = OrderPaymentStatus(orderId: orderID, wallet: order.wallet, instance: instance, result: result)
            status = result.status.isFinal ? .ok : .accepted
        } catch {
            let entry = try? await client.journal.entry(JournalEntry.paymentID(wallet: client.adapter.walletName, merchantReference: orderID))
            if error.category == .inconsistentRequest {
                // Another payment under this order id: refused before sending; the original stands.
                var refused = OrderPaymentStatus(orderId: orderID, wallet: order.wallet, instance: instance, error: error)
                if let entry { refused = OrderPaymentStatus(orderId: orderID, wallet: order.wallet, instance: instance, result: entry.paymentResult) }
                refused.error = OrderPaymentStatus.problem(error)
                events.record("pay-refused", ["wallet": .text(order.wallet), "order": .text(orderID)])
                return Self.json(.conflict, refused.json)
            }
            if let entry, entry.mayHaveReachedWallet || entry.state.isFinal {
                var result = entry.paymentResult
                result.lastError = error
                answer = OrderPaymentStatus(orderId: orderID, wallet: order.wallet, instance: instance, result: result)
                status = entry.state.isFinal ? .ok : .accepted
            } else {
                answer = OrderPaymentStatus(orderId: orderID, wallet: order.wallet, instance: instance, error: error)
                status = error.category == .journalUnavailable ? .serviceUnavailable : (answer.final ? .ok : .accepted)
            }
        }
        events.record(
            "pay-answered", ["wallet": .text(order.wallet), "order": .text(orderID), "status": .text(answer.status), "final": .flag(answer.final)])
        return Self.json(status, answer.json)
    }

    func status(orderID: String, wallet: String) async -> Response {
        guard let client = wallets.clients[wallet] else { return Self.problem(.badRequest, "pass ?wallet= one of \(wallets.clients.keys.sorted())") }
        let entry: JournalEntry?
        do {
            entry = try await client.journal.entry(JournalEntry.paymentID(wallet: wallet, merchantReference: orderID))
        } catch {
            return Self.problem(.serviceUnavailable, "the journal could not be read")
        }
        guard let entry else { return Self.problem(.notFound, "no payment for order \(orderID) with \(wallet)") }
        return Self.json(.ok, OrderPaymentStatus(orderId: orderID, wallet: wallet, instance: instance, result: entry.paymentResult).json)
    }

    // MARK: Notifications

    func notification(wallet: String, _ inbound: InboundNotification) async -> Response {
        guard let client = wallets.clients[wallet] else { return Self.problem(.notFound, "no wallet \(wallet) here") }
        let received: ReceivedNotification
        do throws(WalletError) {
            // Verifies it, claims its key in the shared journal, confirms it when the wallet
            // requires it (Paytm), and advances the payment: once, whichever instance gets it.
            received = try await client.receiveNotification(inbound)
        } catch {
            count(wallet, "rejected")
            events.record("notification", ["wallet": .text(wallet), "disposition": .text("rejected"), "category": .text(error.category.rawValue)])
            // Unverifiable, or the journal could not record the claim: an error, so the wallet redelivers.
            return Response(status: error.category == .journalUnavailable ? .serviceUnavailable : .badRequest)
        }
        let disposition: String
        switch received.disposition {
        case .apply: disposition = "apply"
        case .duplicate: disposition = "duplicate"
        case .unconfirmed: disposition = "unconfirmed"
        }
        count(wallet, disposition)
        let event = received.notification
        var fields: [String: MerchantEvents.EventValue] = [
            "wallet": .text(wallet), "disposition": .text(disposition), "kind": .text(event.kind.rawValue),
            "order": .text(event.payment.merchantReference), "key": .text(event.deduplicationKey), "status": .text(event.payment.status.name),
        ]
        if received.fulfilsOrder {
            // Where a shop ships the goods: runs once per paid order.
            fields["fulfils"] = .flag(true)
        }
        events.record("notification", fields)
        // Acknowledge in every case: without it the wallet keeps resending.
        let ack = received.acknowledgement
        return Response(status: .init(code: ack.status), headers: ack.headerFields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: ack.body)))
    }

    private func count(_ wallet: String, _ disposition: String) {
        CoreMetrics.Counter(label: "merchant_notifications_total", dimensions: [("wallet", wallet), ("disposition", disposition)], factory: metrics)
            .increment()
    }

    // MARK: Replies

    static func json(_ status: HTTPResponse.Status, _ body: [UInt8]) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func problem(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(status, Array(("{\"error\":" + MerchantEvents.quoted(message) + "}").utf8))
    }
}

/// Whether the server is ready: set once it listens (the journal was opened before), cleared
/// when it starts draining.
final class Readiness: @unchecked Sendable {
    private let lock = NSLock()
    private var ready = false

    var isReady: Bool { lock.withLock { ready } }

    func set(_ value: Bool) { lock.withLock { ready = value } }
}
