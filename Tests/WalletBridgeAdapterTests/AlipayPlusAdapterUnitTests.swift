import Foundation
import HTTPTypes
import Logging
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeTesting

/// The adapter against scripted replies (MockTransport), signed here with the test platform
/// key, for the cases a well-behaved sandbox never produces.
@Suite("Alipay+ adapter, scripted replies")
struct AlipayPlusAdapterUnitTests {
    static let clientID = "SANDBOX_UNIT"

    static func configuration() throws -> AlipayPlusConfiguration {
        AlipayPlusConfiguration(
            baseURL: "https://wallet.invalid",
            clientID: clientID,
            signer: AlipayPlusSigner(privateKey: try RSAPrivateKey(text: SandboxCredentials.merchantPrivateKeyPEM)),
            verifier: AlipayPlusVerifier(
                keys: PublicKeyStore(version: "1", key: try RSAPrivateKey(text: SandboxCredentials.platformPrivateKeyPEM).publicKey))
        )
    }

    /// A reply to a request for `path`, signed by the platform key as the real platform would.
    static func signedReply(_ json: String, path: String = "/aps/api/v1/payments/pay", clientID: String = clientID) throws -> TransportResponse {
        let body = Array(json.utf8)
        let time = "2026-11-24T18:04:05+08:00"
        let signer = AlipayPlusSigner(privateKey: try RSAPrivateKey(text: SandboxCredentials.platformPrivateKeyPEM))
        let header = try signer.sign(.response(requestPath: path, clientId: clientID, responseTime: time, body: body))
        return TransportResponse(status: 200, headerFields: [.clientID: clientID, .responseTime: time, .signature: header.headerValue], body: body)
    }

    static func adapter(_ transport: MockTransport) throws -> AlipayPlusAdapter {
        AlipayPlusAdapter(configuration: try configuration(), transport: transport, clock: { Date(timeIntervalSince1970: 1_795_000_000) })
    }

    let request = PaymentRequest(
        merchantReference: "WB-1", amount: Money(minorUnits: 1000, currency: .php), customer: CustomerCredential("tok-secret-777"),
        orderDescription: "o")

    @Test func requestIsSignedOverTheExactBytesSent() async throws {
        let mock = MockTransport.replying(
            try Self.signedReply(
                #"{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentRequestId":"WB-1","paymentId":"P1","paymentAmount":{"currency":"PHP","value":"1000"}}"#
            ))
        let result = try await Self.adapter(mock).pay(request)
        #expect(result.status == .succeeded)
        let sent = try #require(mock.requests.first)
        #expect(sent.url == "https://wallet.invalid/aps/api/v1/payments/pay")
        #expect(sent.headerFields[.requestTime] == "2026-11-18T11:06:40+00:00", "time from the injected clock, UTC with offset")
        let verifier = AlipayPlusVerifier(
            keys: PublicKeyStore(version: "1", key: try RSAPrivateKey(text: SandboxCredentials.merchantPrivateKeyPEM).publicKey))
        try verifier.verify(
            .request(path: "/aps/api/v1/payments/pay", clientId: Self.clientID, requestTime: sent.headerFields[.requestTime] ?? "", body: sent.body),
            signatureHeader: sent.headerFields[.signature] ?? "")
        let body = String(decoding: sent.body, as: UTF8.self)
        #expect(body.contains(#""productCode":"AGREEMENT_PAYMENT""#))
        #expect(body.contains(#""paymentAmount":{"currency":"PHP","value":"1000"}"#))
        #expect(body.contains(#""paymentMethodId":"tok-secret-777""#))
    }

    @Test func retriesSendTheIdenticalBody() async throws {
        let mock = MockTransport.failing(TransportError(.timeout, "t", mayHaveReachedServer: true))
        let adapter = try Self.adapter(mock)
        _ = try await adapter.pay(request)
        _ = try await adapter.pay(request)
        #expect(mock.requests.count == 2)
        #expect(mock.requests[0].body == mock.requests[1].body)
    }

    @Test func amountOrReferenceMismatchIsNeverSuccess() async throws {
        let wrongAmount = try Self.signedReply(
            #"{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentAmount":{"currency":"PHP","value":"100000"}}"#)
        let a = try await Self.adapter(.replying(wrongAmount)).pay(request)
        #expect(a.status.unknownCategory == .invalidPartnerResponse)
        let wrongCurrency = try Self.signedReply(
            #"{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentAmount":{"currency":"USD","value":"1000"}}"#)
        #expect(try await Self.adapter(.replying(wrongCurrency)).pay(request).status.unknownCategory == .invalidPartnerResponse)
        let noAmount = try Self.signedReply(#"{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1"}"#)
        #expect(try await Self.adapter(.replying(noAmount)).pay(request).status.unknownCategory == .invalidPartnerResponse)
        let otherPayment = try Self.signedReply(
            #"{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentRequestId":"WB-2","paymentAmount":{"currency":"PHP","value":"1000"}}"#)
        #expect(try await Self.adapter(.replying(otherPayment)).pay(request).status.unknownCategory == .invalidPartnerResponse)
    }

    @Test func replyForAnotherClientOrMalformedJSONIsUnknown() async throws {
        let foreign = try Self.signedReply(#"{"result":{"resultCode":"SUCCESS","resultStatus":"S"}}"#, clientID: "SOMEONE_ELSE")
        #expect(try await Self.adapter(.replying(foreign)).pay(request).status.unknownCategory == .invalidPartnerResponse)
        let garbage = try Self.signedReply("not json")
        #expect(try await Self.adapter(.replying(garbage)).pay(request).status.unknownCategory == .invalidPartnerResponse)
        let signedForOtherPath = try Self.signedReply(#"{"result":{"resultCode":"SUCCESS","resultStatus":"S"}}"#, path: "/aps/api/v1/payments/refund")
        #expect(try await Self.adapter(.replying(signedForOtherPath)).pay(request).status.unknownCategory == .invalidPartnerResponse)
    }

    @Test func unreachablePartnerThrowsWithoutChargeWhileThrottlingIsUnknownWithRetryAfter() async throws {
        let refused = await #expect(throws: WalletError.self) {
            _ = try await Self.adapter(.failing(TransportError(.couldNotConnect, "refused", mayHaveReachedServer: false))).pay(request)
        }
        #expect(refused?.category == .partnerUnavailable)
        #expect(refused?.mayHaveCharged == false)
        // An unsigned 429 proves nothing: the pay may have been processed, so it is unknown, not a failure.
        let throttle = TransportResponse(status: 429, headerFields: [.retryAfter: "3"])
        let throttled = try await Self.adapter(.replying(throttle)).pay(request)
        #expect(throttled.status.unknownCategory == .rateLimited)
        #expect(throttled.status.error?.retryAfter == .seconds(3))
        #expect(throttled.status.error?.mayHaveCharged == true)
        // A throttled inquiry says nothing about the payment: it throws, with the wait.
        let inquiry = await #expect(throws: WalletError.self) {
            _ = try await Self.adapter(.replying(throttle)).inquire(PaymentQuery(merchantReference: "WB-1"))
        }
        #expect(inquiry?.category == .rateLimited)
        #expect(inquiry?.retryAfter == .seconds(3))
    }

    @Test(
        arguments: [
            ("S", "SUCCESS", "succeeded", nil),
            ("U", "PAYMENT_IN_PROCESS", "pending", nil),
            ("U", "UNKNOWN_EXCEPTION", "unknown", WalletError.Category.unknownOutcome),
            ("U", "REQUEST_TRAFFIC_EXCEED_LIMIT", "unknown", .rateLimited),
            ("F", "USER_BALANCE_NOT_ENOUGH", "failed", .insufficientFunds),
            ("F", "PARAM_ILLEGAL", "failed", .invalidRequest),
            ("F", "ACCESS_DENIED", "failed", .authenticationFailed),
            ("F", "INVALID_SIGNATURE", "failed", .authenticationFailed),
            ("F", "ORDER_IS_CLOSED", "failed", .invalidRequest),
            ("F", "USER_AMOUNT_EXCEED_LIMIT", "failed", .limitExceeded),
            ("F", "RISK_REJECT", "failed", .declined),
            ("F", "SOMETHING_NEW", "failed", .declined),
        ] as [(String, String, String, WalletError.Category?)])
    func payResultsMapAsThePartnerGuideSays(status: String, code: String, expected: String, category: WalletError.Category?) async throws {
        // A bound reply: it names our paymentRequestId and states our amount.
        let reply = try Self.signedReply(
            #"{"result":{"resultCode":"\#(code)","resultStatus":"\#(status)","resultMessage":"m"},"paymentRequestId":"WB-1","paymentId":"P1","paymentAmount":{"currency":"PHP","value":"1000"}}"#
        )
        let result = try await Self.adapter(.replying(reply)).pay(request)
        #expect(result.status.name == expected)
        #expect(result.status.error?.category == category)
        if let error = result.status.error {
            #expect(error.partnerCode == code)
        }
    }

    /// A notification to `path`, signed by the platform key as the real platform would.
    static func signedNotification(_ json: String, clientID: String = clientID, path: String = "/hooks/gcash") throws -> InboundNotification {
        let body = Array(json.utf8)
        let time = "2026-11-24T18:04:05+08:00"
        let signer = AlipayPlusSigner(privateKey: try RSAPrivateKey(text: SandboxCredentials.platformPrivateKeyPEM))
        let header = try signer.sign(.notification(path: path, clientId: clientID, requestTime: time, body: body))
        return InboundNotification(path: path, headerFields: [.clientID: clientID, .requestTime: time, .signature: header.headerValue], body: body)
    }

    @Test func signedButMalformedOrForeignNotificationsAreRejected() throws {
        let adapter = try Self.adapter(.failing(TransportError(.other, "unused", mayHaveReachedServer: false)))
        let good =
            #"{"notifyType":"PAYMENT_RESULT","result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentRequestId":"WB-1","paymentId":"P1","paymentAmount":{"currency":"PHP","value":"1000"}}"#
        let verified = try adapter.verifyNotification(try Self.signedNotification(good))
        #expect(verified.notification.payment.status == .succeeded)
        #expect(verified.acknowledgement.headerFields[.signature] != nil)

        let garbage = #expect(throws: WalletError.self) { try adapter.verifyNotification(try Self.signedNotification("not json")) }
        #expect(garbage?.category == .invalidRequest)
        let incomplete = #expect(throws: WalletError.self) {
            try adapter.verifyNotification(try Self.signedNotification(#"{"result":{"resultCode":"SUCCESS","resultStatus":"S"}}"#))
        }
        #expect(incomplete?.category == .invalidRequest)
        let unknownType = #expect(throws: WalletError.self) {
            try adapter.verifyNotification(try Self.signedNotification(good.replacingOccurrences(of: "PAYMENT_RESULT", with: "SOMETHING_ELSE")))
        }
        #expect(unknownType?.category == .invalidRequest)
        let foreign = #expect(throws: WalletError.self) {
            try adapter.verifyNotification(try Self.signedNotification(good, clientID: "SOMEONE_ELSE"))
        }
        #expect(foreign?.category == .authenticationFailed)
        // A signed result whose amount is malformed is never reported as success.
        let badAmount = try adapter.verifyNotification(
            try Self.signedNotification(good.replacingOccurrences(of: #""value":"1000""#, with: #""value":"10.00""#)))
        #expect(badAmount.notification.payment.status.unknownCategory == .invalidPartnerResponse)
    }

    @Test func clientLogsReferencesButNoSecrets() async throws {
        let capture = LogCapture()
        let logger = Logger(label: "test", factory: { _ in capture })
        let reply = try Self.signedReply(
            #"{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentRequestId":"WB-1","paymentId":"P1","paymentAmount":{"currency":"PHP","value":"1000"}}"#
        )
        let mock = MockTransport.replying(reply)
        let client = WalletClient(
            adapter: try Self.adapter(mock), logger: logger, configuration: WalletClient.Configuration(clock: VirtualClock().policy))
        _ = try await client.pay(request, correlationID: "corr-42")
        let lines = capture.lines.joined(separator: "\n")
        #expect(lines.contains("corr-42"))
        #expect(lines.contains("WB-1"))
        #expect(lines.contains("succeeded"))
        #expect(!lines.contains("tok-secret-777"), "the customer credential never reaches logs")
        #expect(!lines.contains("PRIVATE KEY"))
        let signature = mock.requests.first?.headerFields[.signature] ?? "<none>"
        #expect(!lines.contains(signature))
    }
}

/// A log handler that keeps rendered lines (message and metadata), for secret-scrubbing tests.
final class LogCapture: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let line = "\(event.level) \(event.message) \(merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
        lock.withLock { stored.append(line) }
    }

    var lines: [String] { lock.withLock { stored } }
}
