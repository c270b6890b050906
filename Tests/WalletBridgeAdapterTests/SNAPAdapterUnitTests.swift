import Foundation
import HTTPTypes
import Logging
import Testing
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeSNAP
import WalletBridgeTesting

/// The SNAP adapter against scripted replies: headers, bytes, and the responseCode mapping.
@Suite("SNAP adapter (scripted replies)")
struct SNAPAdapterUnitTests {
    static func adapter(_ transport: MockTransport, responsesSigned: Bool = false) throws -> SNAPAdapter {
        let configuration = SNAPConfiguration(
            baseURL: "https://api.example", partnerID: "P1", merchantID: "M1",
            privateKey: try RSAPrivateKey(text: SandboxCredentials.merchantPrivateKeyPEM),
            walletKey: SNAPSignatureVerifier(publicKey: try RSAPublicKey(text: SandboxCredentials.platformPublicKeyPEM)),
            responsesSigned: responsesSigned)
        return SNAPAdapter(configuration: configuration, transport: transport, clock: { Date(timeIntervalSince1970: 1_795_000_000) })
    }

    static func reply(_ status: Int, _ json: String) -> TransportResponse {
        TransportResponse(status: status, headerFields: [.contentType: "application/json"], body: Array(json.utf8))
    }

    /// A reply signed with the sandbox wallet's key over `path`, as a SNAP wallet signs its responses.
    static func signedReply(_ status: Int, _ json: String, path: String) throws -> TransportResponse {
        let timestamp = "2026-11-18T18:06:41+07:00"
        let signature = try SNAPRSASigner(privateKey: try RSAPrivateKey(text: SandboxCredentials.platformPrivateKeyPEM)).sign(
            method: "POST", path: path, body: Array(json.utf8), timestamp: timestamp, accessToken: nil)
        return TransportResponse(
            status: status,
            headerFields: [.contentType: "application/json", .xTimestamp: timestamp, .xSignature: signature.value],
            body: Array(json.utf8))
    }

    static let payPath = "/payment-gateway/v1.0/debit/payment-host-to-host.htm"

    @Test func theSignatureCoversTheExactBytesSentAndHeadersFollowTheStandard() async throws {
        let transport = MockTransport.replying(Self.reply(200, #"{"responseCode":"2005400","responseMessage":"Successful","referenceNo":"R1"}"#))
        _ = try await Self.adapter(transport).pay(payment("WB-1", try idr("10000"), customer: "cust-token"))
        let sent = try #require(transport.requests.first)
        #expect(sent.url == "https://api.example/payment-gateway/v1.0/debit/payment-host-to-host.htm")
        #expect(sent.headerFields[.xTimestamp] == "2026-11-18T18:06:40+07:00")
        #expect(sent.headerFields[.xPartnerID] == "P1")
        #expect(sent.headerFields[.channelID] == "95221")
        #expect(sent.headerFields[.xExternalID]?.count == 32)
        #expect(sent.headerFields[.authorizationCustomer] == "Bearer cust-token")
        #expect(sent.headerFields[.authorization] == nil)
        let verifier = SNAPSignatureVerifier(publicKey: try RSAPublicKey(text: SandboxCredentials.merchantPublicKeyPEM))
        try verifier.verifyTransaction(
            signature: try #require(sent.headerFields[.xSignature]), method: "POST", path: "/payment-gateway/v1.0/debit/payment-host-to-host.htm",
            body: sent.body, timestamp: "2026-11-18T18:06:40+07:00")
        let body = String(decoding: sent.body, as: UTF8.self)
        #expect(!body.contains(" \"") && !body.contains(": "))
        #expect(body.contains(#""amount":{"currency":"IDR","value":"10000.00"}"#))
        #expect(body.contains(#""payMethod":"BALANCE""#))
        #expect(body.contains(#""validUpTo":"2026-11-18T18:36:40+07:00""#))
    }

    @Test func aResentRequestHasTheIdenticalBodyButANewMessageIDAndSignature() async throws {
        let transport = MockTransport.replying(Self.reply(200, #"{"responseCode":"2005400","responseMessage":"Successful"}"#))
        var clockValue = Date(timeIntervalSince1970: 1_795_000_000)
        let configuration = try Self.adapter(transport).configuration
        let first = SNAPAdapter(configuration: configuration, transport: transport, clock: { [clockValue] in clockValue })
        clockValue += 5
        let second = SNAPAdapter(configuration: configuration, transport: transport, clock: { [clockValue] in clockValue })
        var request = payment("WB-1", try idr("10000"), customer: "c")
        request.validUntil = Date(timeIntervalSince1970: 1_795_001_800)
        _ = try await first.pay(request)
        _ = try await second.pay(request)
        let sent = transport.requests
        #expect(sent.count == 2)
        #expect(sent[0].body == sent[1].body)
        #expect(String(decoding: sent[0].body, as: UTF8.self).contains(#""validUpTo":"2026-11-18T18:36:40+07:00""#))
        #expect(sent[0].headerFields[.xExternalID] != sent[1].headerFields[.xExternalID])
        #expect(sent[0].headerFields[.xTimestamp] != sent[1].headerFields[.xTimestamp])
        #expect(sent[0].headerFields[.xSignature] != sent[1].headerFields[.xSignature])
    }

    @Test func aRejectedTokenIsRenewedOnceAndTheIdenticalBodyResent() async throws {
        let token = { (value: String) in
            Self.reply(200, #"{"responseCode":"2007300","accessToken":"\#(value)","tokenType":"Bearer","expiresIn":900}"#)
        }
        let transport = MockTransport.sequence([
            .success(token("first-token")),
            .success(Self.reply(401, #"{"responseCode":"4015401","responseMessage":"Invalid Token (B2B)"}"#)),
            .success(token("second-token")),
            .success(Self.reply(200, #"{"responseCode":"2005400","responseMessage":"Successful"}"#)),
            .success(Self.reply(401, #"{"responseCode":"4015401","responseMessage":"Invalid Token (B2B)"}"#)),
            .success(token("third-token")),
            .success(Self.reply(401, #"{"responseCode":"4015401","responseMessage":"Invalid Token (B2B)"}"#)),
        ])
        var configuration = try Self.adapter(transport).configuration
        configuration.mode = .token(try SNAPHMACSigner(clientSecret: SecretBytes(utf8: "secret")))
        let adapter = SNAPAdapter(configuration: configuration, transport: transport)
        let result = try await adapter.pay(payment("WB-1", try idr("10000"), customer: "c"))
        #expect(result.partnerResult?.code == "2005400")
        let sent = transport.requests
        #expect(
            sent.map { URLComponents(string: $0.url)?.path ?? "" } == [
                "/v1.0/access-token/b2b.htm", "/payment-gateway/v1.0/debit/payment-host-to-host.htm",
                "/v1.0/access-token/b2b.htm", "/payment-gateway/v1.0/debit/payment-host-to-host.htm",
            ])
        #expect(sent[1].body == sent[3].body)
        #expect(sent[1].headerFields[.xExternalID] != sent[3].headerFields[.xExternalID])
        #expect(sent[1].headerFields[.authorization] == "Bearer first-token")
        #expect(sent[3].headerFields[.authorization] == "Bearer second-token")
        #expect(sent[0].headerFields[.xClientKey] == "P1")
        // Rejected again after the one renewal: refused, not retried forever.
        let refused = await #expect(throws: WalletError.self) { _ = try await adapter.inquire(PaymentQuery(merchantReference: "WB-1")) }
        #expect(refused?.category == .authenticationFailed)
        #expect(refused?.mayHaveCharged == false)
        #expect(transport.requests.count == 7)
        #expect(await adapter.accessTokenRequests == 3)
    }

    @Test func aRefusalAboutAnotherPaymentIsUnknownNotFailed() async throws {
        let foreign = try Self.signedReply(
            403, #"{"responseCode":"4035414","responseMessage":"Insufficient Funds","partnerReferenceNo":"WB-OTHER"}"#, path: Self.payPath)
        let result = try await Self.adapter(.replying(foreign)).pay(payment("WB-1", try idr("10000"), customer: "c"))
        #expect(result.status.name == "unknown")
        #expect(result.status.error?.category == .invalidPartnerResponse)
        // A bare refusal (no reference at all) contradicts nothing: failed.
        let bare = try Self.signedReply(403, #"{"responseCode":"4035414","responseMessage":"Insufficient Funds"}"#, path: Self.payPath)
        #expect(try await Self.adapter(.replying(bare)).pay(payment("WB-1", try idr("10000"), customer: "c")).status.name == "failed")
    }

    @Test func aNotFoundAboutAnotherPaymentIsNotTakenAsNeverArrived() async throws {
        let foreign = Self.reply(
            404, #"{"responseCode":"4045501","responseMessage":"Transaction Not Found","originalPartnerReferenceNo":"WB-OTHER"}"#)
        let result = try await Self.adapter(.replying(foreign)).inquire(PaymentQuery(merchantReference: "WB-1"))
        #expect(result.status.error?.category == .invalidPartnerResponse)
    }

    @Test(
        arguments: [
            ("2005400", 200, "pending", nil),
            ("2025400", 202, "pending", nil),
            ("4005401", 400, "failed", WalletError.Category.invalidRequest),
            ("4015400", 401, "failed", .authenticationFailed),
            ("4035402", 403, "failed", .limitExceeded),
            ("4035405", 403, "failed", .declined),
            ("4035414", 403, "failed", .insufficientFunds),
            ("4045408", 404, "failed", .invalidRequest),
            ("4095400", 409, "unknown", .duplicate),
            ("4095401", 409, "unknown", .duplicate),
            ("4295400", 429, "unknown", .rateLimited),
            ("5005400", 500, "unknown", .partnerUnavailable),
            ("5005402", 500, "unknown", .partnerUnavailable),
            ("5045400", 504, "unknown", .timeout),
            ("9999999", 200, "unknown", .unknownOutcome),
        ] as [(String, Int, String, WalletError.Category?)])
    func paymentResponseCodesMapIntoTheCommonModel(_ code: String, _ status: Int, _ expected: String, _ category: WalletError.Category?) async throws
    {
        let transport = MockTransport.replying(
            try Self.signedReply(status, #"{"responseCode":"\#(code)","responseMessage":"m"}"#, path: Self.payPath))
        let result = try await Self.adapter(transport).pay(payment("WB-1", try idr("10000"), customer: "c"))
        #expect(result.status.name == expected)
        #expect(result.status.error?.category == category)
        #expect(result.partnerResult?.code == code)
        if expected == "failed" { #expect(result.status.error?.mayHaveCharged == false) }
        if expected == "unknown" { #expect(result.status.error?.mayHaveCharged == true) }
    }

    /// Under a profile whose responses need not be signed, an unsigned refusal of pay, cancel or
    /// refund proves nothing: the outcome stays open (never `failed`), a `401xx00` claim is shown
    /// as unverified and never sets the partner code, and an unsigned cancel success is not final.
    @Test(arguments: ["4015400", "4035414", "4035405", "4005401"])
    func anUnsignedRefusalOfAMutatingCallIsUnknown(_ code: String) async throws {
        let unsigned = Self.reply(code == "4005401" ? 400 : Int(code.prefix(3)) ?? 400, #"{"responseCode":"\#(code)","responseMessage":"m"}"#)
        let paid = try await Self.adapter(.replying(unsigned)).pay(payment("WB-1", try idr("10000"), customer: "c"))
        #expect(paid.status.name == "unknown")
        let error = try #require(paid.status.error)
        #expect(error.mayHaveCharged)
        #expect(error.partnerCode == nil)
        if code == "4015400" {
            let diagnosis = try #require(error.diagnosis)
            #expect(diagnosis.claim?.verified == false)
            #expect(diagnosis.claim?.code == "4015400")
        } else {
            #expect(error.diagnosis == nil)
        }
        let refund = try await Self.adapter(.replying(unsigned)).refund(
            RefundRequest(merchantReference: "WB-1", refundReference: "WB-1-R1", amount: try idr("10000")))
        #expect(refund.status.name == "unknown")
        // Signed, the same refusal settles the payment as failed.
        let signed = try Self.signedReply(unsigned.status, String(decoding: unsigned.body, as: UTF8.self), path: Self.payPath)
        let verified = try await Self.adapter(.replying(signed)).pay(payment("WB-1", try idr("10000"), customer: "c"))
        #expect(verified.status.name == "failed")
        if code == "4015400" { #expect(verified.status.error?.diagnosis?.claim?.verified == true) }
    }

    @Test func anUnsignedCancelSuccessIsNotFinal() async throws {
        let json = #"{"responseCode":"2005700","responseMessage":"Successful","originalPartnerReferenceNo":"WB-1"}"#
        let result = try await Self.adapter(.replying(Self.reply(200, json))).cancel(PaymentQuery(merchantReference: "WB-1"))
        #expect(result.status.name == "unknown")
    }

    @Test(arguments: [
        ("00", "succeeded"), ("01", "pending"), ("02", "pending"), ("03", "pending"), ("04", "succeeded"),
        ("05", "cancelled"), ("06", "failed"), ("07", "unknown"), ("99", "unknown"),
    ])
    func latestTransactionStatusMapsIntoTheCommonModel(_ latest: String, _ expected: String) async throws {
        let json =
            #"{"responseCode":"2005500","responseMessage":"Successful","originalPartnerReferenceNo":"WB-1","latestTransactionStatus":"\#(latest)","amount":{"value":"10000.00","currency":"IDR"}}"#
        let result = try await Self.adapter(.replying(Self.reply(200, json))).inquire(PaymentQuery(merchantReference: "WB-1"))
        #expect(result.status.name == expected)
    }

    @Test(arguments: [
        #"{"responseCode":"2005500","originalPartnerReferenceNo":"WB-2","latestTransactionStatus":"00","amount":{"value":"10000.00","currency":"IDR"}}"#,
        #"{"responseCode":"2005500","originalPartnerReferenceNo":"WB-1","latestTransactionStatus":"00"}"#,
        #"{"responseCode":"2005500","originalPartnerReferenceNo":"WB-1","latestTransactionStatus":"00","amount":{"value":"10000","currency":"IDR"}}"#,
        #"{"responseCode":"2005500","originalPartnerReferenceNo":"WB-1","latestTransactionStatus":"00","amount":{"value":"9999.00","currency":"IDR"}}"#,
        #"{"responseCode":"2005500","originalPartnerReferenceNo":"WB-1","latestTransactionStatus":"00","amount":{"value":"10000.00","currency":"XXY"}}"#,
    ])
    func aSuccessAboutAnotherPaymentOrAmountIsUnknown(_ json: String) async throws {
        let result = try await Self.adapter(.replying(Self.reply(200, json))).inquire(
            PaymentQuery(merchantReference: "WB-1", expectedAmount: try idr("10000")))
        #expect(result.status.name == "unknown")
    }

    @Test(arguments: [
        "not json",
        #"{"responseCode":"4035505","responseCode":"2005500","originalPartnerReferenceNo":"WB-1","latestTransactionStatus":"00","amount":{"value":"10000.00","currency":"IDR"}}"#,
    ])
    func aReplyThatIsNotTrustedJSONIsUnknownForAPayAndThrownByAnInquiry(_ json: String) async throws {
        let pay = try await Self.adapter(.replying(Self.reply(200, json))).pay(payment("WB-1", try idr("10000"), customer: "c"))
        #expect(pay.status.unknownCategory == .invalidPartnerResponse)
        let error = await #expect(throws: WalletError.self) {
            _ = try await Self.adapter(.replying(Self.reply(200, json))).inquire(
                PaymentQuery(merchantReference: "WB-1", expectedAmount: try idr("10000")))
        }
        #expect(error?.category == .invalidPartnerResponse)
    }

    @Test func responsesSignedRequiresASignature() async throws {
        let json =
            #"{"responseCode":"2005500","originalPartnerReferenceNo":"WB-1","latestTransactionStatus":"00","amount":{"value":"10000.00","currency":"IDR"}}"#
        // An unverifiable reply is no answer: the inquiry throws, whatever the body says.
        let strict = await #expect(throws: WalletError.self) {
            _ = try await Self.adapter(.replying(Self.reply(200, json)), responsesSigned: true).inquire(PaymentQuery(merchantReference: "WB-1"))
        }
        #expect(strict?.category == .invalidPartnerResponse)
        var forged = Self.reply(200, json)
        forged.headerFields.append(HTTPField(name: .xTimestamp, value: "2026-11-18T18:06:40+07:00"))
        forged.headerFields.append(HTTPField(name: .xSignature, value: String(repeating: "A", count: 344)))
        let lenient = await #expect(throws: WalletError.self) {
            _ = try await Self.adapter(.replying(forged)).inquire(PaymentQuery(merchantReference: "WB-1"))
        }
        #expect(lenient?.category == .invalidPartnerResponse)
        // The same replies to a pay: unknown, never success or failure.
        let unsignedPay = try await Self.adapter(.replying(Self.reply(200, json)), responsesSigned: true).pay(
            payment("WB-1", try idr("10000"), customer: "c"))
        #expect(unsignedPay.status.unknownCategory == .invalidPartnerResponse)
        #expect(
            try await Self.adapter(.replying(forged)).pay(payment("WB-1", try idr("10000"), customer: "c")).status.unknownCategory
                == .invalidPartnerResponse)
    }

    @Test func transportFailuresAreThrownWhenNothingWasSentAndUnknownOtherwise() async throws {
        let refused = MockTransport.failing(TransportError(.couldNotConnect, "refused", mayHaveReachedServer: false))
        let error = await #expect(throws: WalletError.self) { _ = try await Self.adapter(refused).pay(payment("WB-1", try idr("1"), customer: "c")) }
        #expect(error?.mayHaveCharged == false)
        let timedOut = MockTransport.failing(TransportError(.timeout, "slow", mayHaveReachedServer: true))
        #expect(try await Self.adapter(timedOut).pay(payment("WB-1", try idr("1"), customer: "c")).status.unknownCategory == .timeout)
    }

    @Test func amountsAreExact() async throws {
        let transport = MockTransport.replying(
            try Self.signedReply(
                200, #"{"responseCode":"2005800","partnerRefundNo":"R1","refundAmount":{"value":"0.01","currency":"IDR"}}"#,
                path: "/payment-gateway/v1.0/debit/refund.htm"))
        let refund = try await Self.adapter(transport).refund(
            RefundRequest(merchantReference: "WB-1", refundReference: "R1", amount: Money(minorUnits: 1, currency: .idr)))
        #expect(refund.status == .succeeded)
        #expect(
            String(decoding: try #require(transport.requests.first).body, as: UTF8.self).contains(
                #""refundAmount":{"currency":"IDR","value":"0.01"}"#))
        let bad = await #expect(throws: WalletError.self) { _ = try await Self.adapter(transport).pay(payment("WB 1", try idr("1"), customer: "c")) }
        #expect(bad?.category == .invalidRequest)
    }

    @Test func theAccessTokenAndCustomerTokenNeverReachLogsOrErrors() async throws {
        let transport = MockTransport.sequence([
            .success(Self.reply(200, #"{"responseCode":"2007300","accessToken":"TOKEN-abc123-secret","tokenType":"Bearer","expiresIn":"900"}"#)),
            .success(Self.reply(401, #"{"responseCode":"4015401","responseMessage":"Invalid Token (B2B)"}"#)),
            .success(Self.reply(500, #"{"responseCode":"5007300","responseMessage":"General Error"}"#)),
        ])
        var configuration = try Self.adapter(transport).configuration
        configuration.mode = .token(try SNAPHMACSigner(clientSecret: SecretBytes(utf8: "client-secret-xyz")))
        let capture = LogCapture()
        let client = WalletClient(
            adapter: SNAPAdapter(configuration: configuration, transport: transport), logger: Logger(label: "t", factory: { _ in capture }))
        var texts: [String] = []
        do {
            let result = try await client.pay(payment("WB-1", try idr("10000"), customer: "customer-token-777"))
            texts.append("\(result)")
        } catch {
            texts.append("\(error)")
        }
        texts += capture.lines
        let all = texts.joined(separator: "\n")
        #expect(!all.isEmpty)
        for secret in ["TOKEN-abc123-secret", "customer-token-777", "client-secret-xyz"] {
            #expect(!all.contains(secret), "\(secret) leaked")
        }
    }

    @Test func secretsAreNeverPrinted() throws {
        let adapter = try Self.adapter(.replying(Self.reply(200, "{}")))
        var dumped = ""
        dump(adapter, to: &dumped)
        let hmac = try SNAPHMACSigner(clientSecret: SecretBytes(utf8: SandboxCredentials.danaClientSecret))
        var hmacDump = ""
        dump(hmac, to: &hmacDump)
        for text in [dumped, String(describing: adapter), hmacDump, String(describing: hmac)] {
            #expect(!text.contains("MIIEv"))
            #expect(!text.contains(SandboxCredentials.danaClientSecret))
        }
    }
}

@Suite("SNAP profiles")
struct SNAPProfileTests {
    @Test func profilesAreCheckedWithClearReasons() throws {
        let base = PartnerProfile(
            wallet: "dana", scheme: "snap", baseURL: "https://api.sandbox.dana.id", clientID: "P1",
            merchantKey: .string(SandboxCredentials.merchantPrivateKeyPEM),
            partnerPublicKeys: ["dana": .string(SandboxCredentials.platformPublicKeyPEM)],
            settings: ["merchantId": "M1"])
        let configuration = try SNAPConfiguration(profile: base)
        #expect(configuration.mode.name == "rsa")
        #expect(!configuration.responsesSigned)
        var token = base
        token.settings["mode"] = "token"
        #expect(throws: ProfileError.self) { _ = try SNAPConfiguration(profile: token) }
        token.clientSecret = .string("s3cret-value")
        #expect(try SNAPConfiguration(profile: token).mode.name == "token")
        #expect(!String(describing: token).contains("s3cret-value"))
        var bad = base
        bad.settings["merchantId"] = nil
        #expect(throws: ProfileError.self) { _ = try SNAPConfiguration(profile: bad) }
        bad = base
        bad.settings["responsesSigned"] = "yes"
        #expect(throws: ProfileError.self) { _ = try SNAPConfiguration(profile: bad) }
        bad = base
        bad.partnerPublicKeys = [:]
        #expect(throws: ProfileError.self) { _ = try SNAPConfiguration(profile: bad) }
    }
}
