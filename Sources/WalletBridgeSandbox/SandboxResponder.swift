import Foundation
import HTTPTypes
import Hummingbird

/// Routes the sandbox's HTTP requests: wallet APIs to their wallet, `/sandbox/...` to the
/// admin endpoints (customers, faults, notification deliveries, health).
struct SandboxResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let gcash: GCashSandbox
    /// The Touch 'n Go-style wallet: the same Alipay+ paths, told apart by `Client-Id`.
    let tng: GCashSandbox
    let paytm: PaytmSandbox
    let dana: DANASandbox
    /// Partners' emulations of their own wallets, asked after the built-in ones.
    var emulations: [SandboxEmulationHost] = []
    let faults: SandboxFaults
    let notifier: SandboxNotifier
    let ledger: SandboxLedger
    /// The fault plan in force, if any.
    let plan: FaultPlanState?
    /// Divides every pause the sandbox makes (delays, slow bodies).
    let timeScale: Double

    func respond(to request: Request, context: Context) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        var incoming = SandboxRequest(
            method: request.method.rawValue, path: request.uri.path, headerFields: request.headers, body: Array(buffer.readableBytesView))
        for (name, value) in request.uri.queryParameters { incoming.query[String(name)] = String(value) }
        let reply: SandboxReply
        if gcash.handles(incoming.path) {
            let alipayPlus = incoming.headerFields[.alipayClientID] == tng.clientID ? tng : gcash
            reply = await planned(
                incoming, wallet: alipayPlus.wallet, operation: alipayPlus.operationName(incoming.path), fields: GCashSandbox.summaryFields
            ) {
                await alipayPlus.handle(incoming)
            }
        } else if let linking = paytm.authorizationHandle(incoming) {
            // Paytm Auto Debit: the accounts APIs, the withdraw, the OTP page and its admin.
            reply = linking
        } else if paytm.handles(incoming.path) {
            reply = await planned(
                incoming, wallet: PaytmSandbox.wallet, operation: paytm.operationName(incoming.path), fields: PaytmSandbox.summaryFields
            ) {
                await paytm.handle(incoming)
            }
        } else if dana.handles(incoming.path) {
            reply = await planned(
                incoming, wallet: DANASandbox.wallet, operation: dana.operationName(incoming.path), fields: DANASandbox.summaryFields
            ) {
                await dana.handle(incoming)
            }
        } else if let hosted = emulations.first(where: { $0.handles(incoming) }) {
            reply = await planned(incoming, wallet: hosted.wallet, operation: hosted.operationName(incoming), fields: hosted.summaryFields) {
                await hosted.handle(incoming)
            }
        } else if let authorization = GCashSandbox.authorizationAdmin(incoming, wallets: [gcash, tng]) {
            reply = authorization
        } else {
            reply = admin(incoming)
        }
        if let delay = reply.delay { try await Task.sleep(for: delay / timeScale) }
        let fields = reply.headerFields
        if let pause = reply.slowBody {
            // The status line and half the body now, the rest after the pause.
            let bytes = reply.body, half = reply.body.count / 2, wait = pause / timeScale
            return Response(
                status: .init(code: reply.status), headers: fields,
                body: ResponseBody(contentLength: bytes.count) { writer in
                    try await writer.write(ByteBuffer(bytes: bytes[..<half]))
                    try await Task.sleep(for: wait)
                    try await writer.write(ByteBuffer(bytes: bytes[half...]))
                    try await writer.finish(nil)
                })
        }
        return Response(status: .init(code: reply.status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }

    /// Runs a wallet's handler with the fault and skew the plan (or a magic amount) drew for
    /// this request.
    private func planned(
        _ request: SandboxRequest, wallet: String, operation: String?, fields: (references: [String], amounts: [String]),
        _ handle: () async -> SandboxReply
    ) async -> SandboxReply {
        guard let plan, let operation else { return await handle() }
        // Without a plan only a pay's magic amount can fault a request: nothing else is parsed.
        guard !plan.plan.isEmpty || operation == "pay" else { return await handle() }
        let summary = SandboxRequestSummary(body: request.body, referenceFields: fields.references, amountFields: fields.amounts)
        let (fault, skew) = plan.draw(
            wallet: wallet, operation: operation, reference: summary.reference, amountMinor: summary.amountMinor,
            carriesToken: request.headerFields[.authorization] != nil)
        guard fault != nil || skew != nil else { return await handle() }
        return await SandboxRequestScope.$plannedFault.withValue(fault) {
            await SandboxRequestScope.$skew.withValue(skew) { await handle() }
        }
    }

    private func admin(_ request: SandboxRequest) -> SandboxReply {
        // The DANA-style wallet's consent and revocation endpoints.
        if let reply = dana.authorizationAdmin(request) { return reply }
        switch (request.method, request.path) {
        case ("GET", "/sandbox/health"):
            return .json(200, Array(#"{"status":"ok"}"#.utf8))
        case ("POST", SandboxEcho.path):
            return SandboxEcho.reply(to: request)
        case ("GET", "/sandbox/clock"):
            // The sandbox's time and pace, so a client can check signed times against it.
            let millis = Int64((gcash.clock().timeIntervalSince1970 * 1000).rounded(.down))
            return .json(200, Array("{\"nowMillis\":\(millis),\"timeScale\":\(timeScale)}".utf8))
        case ("GET", "/sandbox/customers"):
            let customers = SandboxCustomer.all.map {
                ["id": $0.id, "wallet": $0.wallet, "currency": $0.currency.code, "behaviour": $0.behaviour.rawValue, "summary": $0.summary]
            }
            return .json(200, SandboxJSON.encode(customers))
        case ("GET", "/sandbox/notifications"):
            struct Delivery: Encodable { var url: String; var label: String; var attempts: Int; var acknowledged: Bool; var lastProblem: String? }
            let deliveries = notifier.deliveries.map {
                Delivery(url: $0.url, label: $0.label, attempts: $0.attempts, acknowledged: $0.acknowledged, lastProblem: $0.lastProblem)
            }
            return .json(200, SandboxJSON.encode(deliveries))
        case ("GET", "/sandbox/payments"):
            struct Payment: Encodable {
                var wallet: String
                var merchantReference: String
                var walletReference: String
                var amountMinor: Int64
                var currency: String
                var state: String
                var refundedMinor: Int64
            }
            let wallet = request.query["wallet"]
            let payments = ledger.read { state in
                state.payments.values.filter { wallet == nil || $0.wallet == wallet }
                    .sorted { ($0.walletReference.count, $0.walletReference) < ($1.walletReference.count, $1.walletReference) }
                    .map {
                        Payment(
                            wallet: $0.wallet, merchantReference: $0.merchantReference, walletReference: $0.walletReference,
                            amountMinor: $0.amountMinor, currency: $0.currency, state: $0.state.rawValue, refundedMinor: $0.refundedMinor)
                    }
            }
            return .json(200, SandboxJSON.encode(payments))
        case ("GET", "/sandbox/ledger"):
            let entries = ledger.read { SandboxLedgerEntry.snapshot($0, wallet: request.query["wallet"]) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return .json(200, (try? Array(encoder.encode(entries))) ?? Array("[]".utf8))
        case ("GET", "/sandbox/fault-plan"):
            let injected = (plan?.injected ?? [:]).sorted { $0.key < $1.key }.map { "\"\($0.key.rawValue)\":\($0.value)" }.joined(separator: ",")
            return .json(200, Array("{\"seed\":\(plan?.plan.seed ?? 0),\"injected\":{\(injected)}}".utf8))
        case ("POST", "/sandbox/faults"):
            struct FaultRequest: Decodable { var fault: String; var path: String?; var wallet: String?; var operation: String?; var count: Int? }
            guard let wanted = try? JSONDecoder().decode(FaultRequest.self, from: Data(request.body)), let fault = SandboxFault(name: wanted.fault)
            else {
                let help =
                    "expected {\"fault\": NAME, \"path\": PATH?, \"wallet\": W?, \"operation\": OP?, \"count\": N?}; names: "
                    + SandboxFault.adminNames.joined(separator: ", ")
                return .json(400, SandboxJSON.encode(["error": help]))
            }
            faults.add(fault, path: wanted.path, wallet: wanted.wallet, operation: wanted.operation, count: wanted.count ?? 1)
            return .json(200, Array(#"{"status":"queued"}"#.utf8))
        case ("POST", "/sandbox/snap/expire-tokens"):
            dana.expireTokens()
            return .json(200, Array(#"{"status":"expired"}"#.utf8))
        case ("DELETE", "/sandbox/faults"):
            faults.clear()
            return .json(200, Array(#"{"status":"cleared"}"#.utf8))
        default:
            return .json(404, Array(#"{"error":"no such sandbox endpoint"}"#.utf8))
        }
    }
}
