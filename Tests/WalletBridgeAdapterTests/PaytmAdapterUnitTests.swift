import Foundation
import HTTPTypes
import Testing
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgeTesting

/// The Paytm adapter against scripted replies: envelope bytes, checksum checks, mapping.
@Suite("Paytm-style adapter (scripted replies)")
struct PaytmAdapterUnitTests {
    static let key = "SDOr4vU+L2wkTaKX"
    static let mid = "WBTEST00000000000001"

    static func adapter(_ transport: MockTransport) throws -> PaytmAdapter {
        let configuration = PaytmConfiguration(
            baseURL: "https://securestage.example/", merchantID: mid,
            checksum: try PaytmChecksum(merchantKey: SecretBytes(utf8: key)), clientID: "C11")
        return PaytmAdapter(configuration: configuration, transport: transport, clock: { Date(timeIntervalSince1970: 1_795_000_000.123) })
    }

    /// A reply envelope with `body` verbatim, checksummed unless `signed` is false.
    static func reply(_ body: String, signed: Bool = true, status: Int = 200) throws -> TransportResponse {
        let checksum = try PaytmChecksum(merchantKey: SecretBytes(utf8: key)).generate(for: Array(body.utf8)).checksum
        let head = signed ? #"{"responseTimestamp":"1","signature":"\#(checksum)","version":"v1"}"# : #"{"responseTimestamp":"1","version":"v1"}"#
        return TransportResponse(status: status, body: Array(#"{"head":\#(head),"body":\#(body)}"#.utf8))
    }

    static func statusBody(_ status: String, _ code: String, orderId: String = "WB-1", amount: String? = "10.00", mid: String = mid) -> String {
        let amountField = amount.map { #","txnAmount":"\#($0)""# } ?? ""
        return
            #"{"resultInfo":{"resultStatus":"\#(status)","resultCode":"\#(code)","resultMsg":"m"},"txnId":"T1","orderId":"\#(orderId)","mid":"\#(mid)"\#(amountField)}"#
    }

    @Test func theChecksumCoversTheExactBodyBytesSent() async throws {
        let transport = MockTransport.replying(
            try Self.reply(#"{"resultInfo":{"resultStatus":"S","resultCode":"0000","resultMsg":"Success"},"txnToken":"tok"}"#))
        let result = try await Self.adapter(transport).pay(payment("WB-1", try inr("10.00"), customer: "CUST_001"))
        #expect(result.status.token == "tok")
        let sent = try #require(transport.requests.first)
        #expect(sent.url == "https://securestage.example/theia/api/v1/initiateTransaction?mid=WBTEST00000000000001&orderId=WB-1")
        let envelope = try PaytmEnvelope(received: sent.body)
        let checksum = try PaytmChecksum(merchantKey: SecretBytes(utf8: Self.key))
        #expect(checksum.verify(try #require(envelope.signature), for: envelope.bodyText))
        #expect(envelope.clientId == "C11")
        let body = String(decoding: envelope.bodyText, as: UTF8.self)
        #expect(body.contains(#""txnAmount":{"currency":"INR","value":"10.00"}"#))
        #expect(body.contains(#""userInfo":{"custId":"CUST_001"}"#))
        #expect(String(decoding: sent.body, as: UTF8.self).contains(#""requestTimestamp":"1795000000123""#))
    }

    @Test(
        arguments: [
            ("TXN_SUCCESS", "01", "succeeded", nil),
            ("PENDING", "402", "pending", nil),
            ("PENDING", "400", "pending", nil),
            ("TXN_FAILURE", "227", "failed", WalletError.Category.declined),
            ("TXN_FAILURE", "235", "failed", .insufficientFunds),
            ("TXN_FAILURE", "810", "failed", .declined),
            ("TXN_FAILURE", "501", "failed", .partnerUnavailable),
            ("TXN_FAILURE", "999", "failed", .declined),
            ("TXN_FAILURE", "334", "unknown", .notFound),
        ] as [(String, String, String, WalletError.Category?)])
    func statusRepliesMapIntoTheCommonModel(_ status: String, _ code: String, _ expected: String, _ category: WalletError.Category?) async throws {
        let transport = MockTransport.replying(try Self.reply(Self.statusBody(status, code)))
        let result = try await Self.adapter(transport).inquire(PaymentQuery(merchantReference: "WB-1"))
        #expect(result.status.name == expected)
        #expect(result.status.error?.category == category)
        #expect(result.partnerResult?.code == code)
        if let error = result.status.error, status != "U" { #expect(error.partnerCode == code) }
    }

    @Test func anUndecidedStatusIsAnInquiryErrorNotAPaymentState() async throws {
        // A verified `U` says the status is not known: the inquiry failed, the payment is unchanged.
        let transport = MockTransport.replying(try Self.reply(Self.statusBody("U", "00000900")))
        let error = await #expect(throws: WalletError.self) { _ = try await Self.adapter(transport).inquire(PaymentQuery(merchantReference: "WB-1")) }
        #expect(error?.category == .unknownOutcome)
        #expect(error?.partnerCode == "00000900")
    }

    @Test(arguments: ["TXN_SUCCESS", "PENDING", "TXN_FAILURE"])
    func anUnsignedReplyIsNeverTrustedWhateverItSays(_ status: String) async throws {
        let unsigned = try Self.reply(Self.statusBody(status, "01"), signed: false)
        // The inquiry failed: it says nothing about the payment, so the adapter throws.
        let error = await #expect(throws: WalletError.self) {
            _ = try await Self.adapter(.replying(unsigned)).inquire(PaymentQuery(merchantReference: "WB-1"))
        }
        #expect(error?.category == .invalidPartnerResponse)

        // Through the client, a payment the journal knows keeps its last status, with the error beside it.
        let initiated = try Self.reply(#"{"resultInfo":{"resultStatus":"S","resultCode":"0000","resultMsg":"Success"},"txnToken":"tok"}"#)
        let scripted = MockTransport { request in request.url.contains("initiateTransaction") ? initiated : unsigned }
        let client = fastClient(try Self.adapter(scripted))
        #expect(try await client.pay(payment("WB-1", try inr("10.00"), customer: "C")).status.token == "tok")
        let known = try await client.inquire(PaymentQuery(merchantReference: "WB-1"))
        #expect(known.status.isPending)
        #expect(known.lastError?.category == .invalidPartnerResponse)
        #expect(known.amount == (try inr("10.00")))
    }

    @Test(arguments: [
        statusBody("TXN_SUCCESS", "01", orderId: "WB-2"),
        statusBody("TXN_SUCCESS", "01", mid: "SOMEONEELSE000000001"),
        statusBody("TXN_SUCCESS", "01", amount: nil),
        statusBody("TXN_SUCCESS", "01", amount: "10.0.0"),
        statusBody("TXN_SUCCESS", "01", amount: "10.001"),
        statusBody("TXN_SUCCESS", "01", amount: "9.99"),
    ])
    func aSignedReplyAboutAnotherOrderOrAmountIsUnknown(_ body: String) async throws {
        let transport = MockTransport.replying(try Self.reply(body))
        let result = try await Self.adapter(transport).inquire(PaymentQuery(merchantReference: "WB-1", expectedAmount: try inr("10.00")))
        #expect(result.status.name == "unknown")
    }

    @Test func aReplyWithNonASCIITextVerifiesOverItsRawBytes() async throws {
        let body =
            #"{"resultInfo":{"resultStatus":"TXN_SUCCESS","resultCode":"01","resultMsg":"भुगतान सफल ₹"},"orderId":"WB-1","txnAmount":"10.00","txnId":"T1"}"#
        let result = try await Self.adapter(.replying(try Self.reply(body))).inquire(PaymentQuery(merchantReference: "WB-1"))
        #expect(result.status.isSucceeded)
        #expect(result.partnerResult?.message == "भुगतान सफल ₹")
    }

    @Test func transportFailuresAreThrownWhenNothingWasSentAndUnknownOtherwise() async throws {
        let refused = MockTransport.failing(TransportError(.couldNotConnect, "refused", mayHaveReachedServer: false))
        let error = await #expect(throws: WalletError.self) {
            _ = try await Self.adapter(refused).pay(payment("WB-1", try inr("1.00"), customer: "C"))
        }
        #expect(error?.category == .partnerUnavailable)
        #expect(error?.mayHaveCharged == false)

        let timedOut = MockTransport.failing(TransportError(.timeout, "slow", mayHaveReachedServer: true))
        let result = try await Self.adapter(timedOut).pay(payment("WB-1", try inr("1.00"), customer: "C"))
        #expect(result.status.unknownCategory == .timeout)

        // A 5xx after sending: a pay is unknown; an inquiry failed (it throws, saying nothing about the payment).
        let outage = MockTransport.replying(TransportResponse(status: 502, body: Array("bad gateway".utf8)))
        #expect(try await Self.adapter(outage).pay(payment("WB-1", try inr("1.00"), customer: "C")).status.unknownCategory == .unknownOutcome)
        let failedInquiry = await #expect(throws: WalletError.self) {
            _ = try await Self.adapter(outage).inquire(PaymentQuery(merchantReference: "WB-1"))
        }
        #expect(failedInquiry?.category == .unknownOutcome)

        // An unsigned 429 proves nothing: a pay is unknown (never failed), an inquiry throws with the wait.
        let throttled = MockTransport.replying(TransportResponse(status: 429, headerFields: [.retryAfter: "3"]))
        let throttledPay = try await Self.adapter(throttled).pay(payment("WB-1", try inr("1.00"), customer: "C"))
        #expect(throttledPay.status.unknownCategory == .rateLimited)
        #expect(throttledPay.status.error?.retryAfter == .seconds(3))
        #expect(throttledPay.status.error?.mayHaveCharged == true)
        let limited = await #expect(throws: WalletError.self) {
            _ = try await Self.adapter(throttled).inquire(PaymentQuery(merchantReference: "WB-1"))
        }
        #expect(limited?.category == .rateLimited)
        #expect(limited?.retryAfter == .seconds(3))
    }

    @Test func badRequestsNeverLeave() async throws {
        let transport = MockTransport.replying(TransportResponse(status: 200))
        let adapter = try Self.adapter(transport)
        for request in [
            payment("WB-1", try php("10.00"), customer: "C"),
            payment("WB 1", try inr("10.00"), customer: "C"),
            payment(String(repeating: "x", count: 51), try inr("10.00"), customer: "C"),
        ] {
            let error = await #expect(throws: WalletError.self) { _ = try await adapter.pay(request) }
            #expect(error?.category == .invalidRequest)
        }
        await #expect(throws: WalletError.self) { _ = try await adapter.inquireRefund(RefundQuery(refundReference: "R1")) }
        await #expect(throws: WalletError.self) { _ = try await adapter.cancel(PaymentQuery(merchantReference: "WB-1")) }
        #expect(transport.requests.isEmpty)
    }

    @Test func initiateFailuresAndDuplicates() async throws {
        let refused = try Self.reply(#"{"resultInfo":{"resultStatus":"F","resultCode":"2005","resultMsg":"Checksum provided is invalid"}}"#)
        let failed = try await Self.adapter(.replying(refused)).pay(payment("WB-1", try inr("1.00"), customer: "C"))
        #expect(failed.status.failureCategory == .authenticationFailed)
        #expect(failed.status.error?.mayHaveCharged == false)

        let duplicate = try Self.reply(#"{"resultInfo":{"resultStatus":"F","resultCode":"325","resultMsg":"Duplicate Order Id"}}"#)
        let error = await #expect(throws: WalletError.self) {
            _ = try await Self.adapter(.replying(duplicate)).pay(payment("WB-1", try inr("1.00"), customer: "C"))
        }
        #expect(error?.category == .inconsistentRequest)

        let noToken = try Self.reply(#"{"resultInfo":{"resultStatus":"S","resultCode":"0000","resultMsg":"Success"}}"#)
        #expect(
            try await Self.adapter(.replying(noToken)).pay(payment("WB-1", try inr("1.00"), customer: "C")).status.unknownCategory
                == .invalidPartnerResponse)
    }

    @Test(arguments: [
        ("PENDING", "601", "pending"), ("TXN_SUCCESS", "10", "succeeded"), ("TXN_FAILURE", "619", "failed"), ("TXN_FAILURE", "631", "unknown"),
        ("U", "0", "unknown"),
    ])
    func refundRepliesMapIntoTheCommonModel(_ status: String, _ code: String, _ expected: String) async throws {
        let body =
            #"{"resultInfo":{"resultStatus":"\#(status)","resultCode":"\#(code)","resultMsg":"m"},"refId":"R1","refundId":"P1","refundAmount":"5.00"}"#
        let result = try await Self.adapter(.replying(try Self.reply(body))).inquireRefund(
            RefundQuery(refundReference: "R1", merchantReference: "WB-1"))
        #expect(result.status.name == expected)
    }

    @Test func aRefusedRefundStatusQueryIsAnErrorNotAFailedRefund() async throws {
        // "F" with a system error, a checksum or a bad request: the query failed, not the refund.
        for code in ["501", "330", "1001"] {
            let body = #"{"resultInfo":{"resultStatus":"F","resultCode":"\#(code)","resultMsg":"m"}}"#
            let error = await #expect(throws: WalletError.self) {
                _ = try await Self.adapter(.replying(try Self.reply(body))).inquireRefund(
                    RefundQuery(refundReference: "R1", merchantReference: "WB-1"))
            }
            #expect(error?.partnerCode == code)
        }
    }

    @Test func aSystemErrorToARefundIsUnknownNotFailed() async throws {
        let body = #"{"resultInfo":{"resultStatus":"TXN_FAILURE","resultCode":"501","resultMsg":"System Error"},"refId":"R1"}"#
        let request = RefundRequest(merchantReference: "WB-1", walletReference: "T1", refundReference: "R1", amount: try inr("5.00"))
        let result = try await Self.adapter(.replying(try Self.reply(body))).refund(request)
        #expect(result.status.name == "unknown")
        #expect(result.status.error?.category == .partnerUnavailable)
    }

    @Test func secretsAreNeverPrinted() throws {
        let adapter = try Self.adapter(.replying(TransportResponse(status: 200)))
        var dumped = ""
        dump(adapter, to: &dumped)
        for text in [String(describing: adapter), String(reflecting: adapter), dumped, String(describing: adapter.configuration)] {
            #expect(!text.contains(Self.key))
        }
    }
}

@Suite("Paytm form callbacks")
struct PaytmFormTests {
    @Test func decodesPlusAndPercentEscapes() throws {
        let fields = try PaytmForm.decode(Array("A=x+y&B=%7C%E2%82%B9&C=&D".utf8))
        #expect(fields == ["A": "x y", "B": "|₹", "C": "", "D": ""])
        #expect(try PaytmForm.decode(PaytmForm.encode(["K": "a b|c=d&e+₹"])) == ["K": "a b|c=d&e+₹"])
    }

    @Test(arguments: ["A=1&A=2", "A=%2", "A=%zz", "=x", "A=%FF"])
    func refusesFormsThatWouldLoseOrGarbleAField(_ text: String) {
        #expect(throws: PaytmChecksumError.self) { _ = try PaytmForm.decode(Array(text.utf8)) }
    }

    @Test func theSharedCallbackVectorVerifiesThroughTheAdapter() throws {
        // paytm-verify-callback-form from the partners' vectors, posted as a form.
        let vectors = try PaytmVectorFile.load()
        for vector in vectors where vector.kind == "checksum-params" && vector.operation == "verify" {
            guard let params = vector.params, let checksum = vector.checksum, let mid = params["MID"] ?? nil else { continue }
            var fields: [String: String] = ["CHECKSUMHASH": checksum]
            for (key, value) in params { fields[key] = value ?? "" }
            let configuration = PaytmConfiguration(
                baseURL: "https://x", merchantID: mid, checksum: try PaytmChecksum(merchantKey: SecretBytes(utf8: vector.merchantKey)))
            let adapter = PaytmAdapter(configuration: configuration, transport: MockTransport.replying(TransportResponse(status: 200)))
            let inbound = InboundNotification(
                path: "/cb", headerFields: [.contentType: "application/x-www-form-urlencoded"], body: PaytmForm.encode(fields))
            if vector.valid {
                let verified = try adapter.verifyNotification(inbound)
                #expect(verified.notification.requiresConfirmation, "\(vector.id)")
            } else {
                #expect(throws: WalletError.self, "\(vector.id)") { _ = try adapter.verifyNotification(inbound) }
            }
        }
    }
}

/// The Paytm cases of `Tests/Fixtures/vectors/paytm.json` that the adapter consumes whole.
struct PaytmVectorFile {
    struct Vector {
        var id: String
        var kind: String
        var operation: String
        var merchantKey: String
        var params: [String: String?]?
        var checksum: String?
        var envelope: String?
        var valid: Bool
    }

    static func load() throws -> [Vector] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/vectors/paytm.json")
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        return cases.compactMap { item in
            guard let id = item["id"] as? String, let kind = item["kind"] as? String, let operation = item["operation"] as? String,
                let key = item["merchant_key"] as? String, let expected = item["expected"] as? [String: Any]
            else { return nil }
            let params = (item["params"] as? [String: Any]).map { raw in raw.mapValues { $0 as? String } }
            return Vector(
                id: id, kind: kind, operation: operation, merchantKey: key, params: params, checksum: item["checksum"] as? String,
                envelope: item["envelope"] as? String, valid: expected["valid"] as? Bool ?? false)
        }
    }
}

@Suite("Paytm vectors through the adapter")
struct PaytmAdapterVectorTests {
    @Test func responseEnvelopesAreAcceptedOrRejectedAsTheOfficialLibraryDid() async throws {
        let vectors = try PaytmVectorFile.load().filter { $0.kind == "envelope" && $0.operation == "verify" }
        #expect(vectors.count >= 2)
        for vector in vectors {
            let envelope = try #require(vector.envelope)
            let configuration = PaytmConfiguration(
                baseURL: "https://x", merchantID: "WBTEST00000000000001",
                checksum: try PaytmChecksum(merchantKey: SecretBytes(utf8: vector.merchantKey)))
            let adapter = PaytmAdapter(
                configuration: configuration, transport: MockTransport.replying(TransportResponse(status: 200, body: Array(envelope.utf8))))
            if vector.valid {
                let result = try await adapter.inquire(PaymentQuery(merchantReference: "WB-ORDER-0001"))
                #expect(result.status.isSucceeded, "\(vector.id)")
                #expect(result.amount == (try inr("1.00")), "\(vector.id)")
            } else {
                // An envelope that does not verify is no answer: the inquiry throws.
                let error = await #expect(throws: WalletError.self, "\(vector.id)") {
                    _ = try await adapter.inquire(PaymentQuery(merchantReference: "WB-ORDER-0001"))
                }
                #expect(error?.category == .invalidPartnerResponse, "\(vector.id)")
            }
        }
    }
}

@Suite("Paytm profiles")
struct PaytmProfileTests {
    @Test func aTOMLProfileBuildsTheConfigurationWithoutPrintingTheKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wb-paytm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "SDOr4vU+L2wkTaKX\n".write(to: directory.appendingPathComponent("paytm.key"), atomically: true, encoding: .utf8)
        let toml = """
            [wallets.paytm]
            scheme = "paytm"
            base_url = "https://securestage.paytmpayments.com"
            client_id = "WBTEST00000000000001"
            merchant_key = "file:paytm.key"
            key_version = "C11"
            notify_url = "https://shop.example/paytm/callback"

            [wallets.paytm.settings]
            websiteName = "DEFAULT"

            [wallets.paytm.paths]
            initiateTransaction = "/order/initiate"
            """
        let path = directory.appendingPathComponent("walletbridge.toml").path
        try toml.write(toFile: path, atomically: true, encoding: .utf8)
        let profile = try PartnerProfileFile(path: path).profile(for: "paytm")
        let configuration = try PaytmConfiguration(profile: profile)
        #expect(configuration.merchantID == "WBTEST00000000000001")
        #expect(configuration.clientID == "C11")
        #expect(configuration.websiteName == "DEFAULT")
        #expect(configuration.paths.initiateTransaction == "/order/initiate")
        #expect(configuration.paths.transactionStatus == "/v3/order/status")
        #expect(configuration.callbackURL == "https://shop.example/paytm/callback")
        #expect(configuration.checksum.verify(try configuration.checksum.generate(for: Array("x".utf8)).checksum, for: Array("x".utf8)))
        #expect(!String(describing: profile).contains("SDOr4vU"))
    }

    @Test func badProfilesAreRefusedWithAClearReason() throws {
        var profile = PartnerProfile(wallet: "paytm", scheme: "paytm", baseURL: "https://x", clientID: "MID", merchantKey: .string("short"))
        #expect(throws: ProfileError.self) { _ = try PaytmConfiguration(profile: profile) }
        profile.merchantKey = nil
        #expect(throws: ProfileError.self) { _ = try PaytmConfiguration(profile: profile) }
        profile.merchantKey = .string("SDOr4vU+L2wkTaKX")
        profile.scheme = "alipayplus"
        #expect(throws: ProfileError.self) { _ = try PaytmConfiguration(profile: profile) }
        profile.scheme = "paytm"
        profile.paths = ["nonsense": "/x"]
        #expect(throws: ProfileError.self) { _ = try PaytmConfiguration(profile: profile) }
        profile.paths = [:]
        profile.merchantKey = .string("0123456789abcde")
        let error = #expect(throws: ProfileError.self) { _ = try PaytmConfiguration(profile: profile) }
        #expect(error.map { "\($0)" }?.contains("0123456789abcde") == false)
        #expect(error.map { "\($0)" }?.contains("16, 24 or 32 bytes") == true)
    }
}

@Suite("Paytm malformed input")
struct PaytmMalformedInputTests {
    static let key = "SDOr4vU+L2wkTaKX"

    @Test(arguments: ["<html>bad gateway</html>", "", #"{"head":{}}"#, #"{"body":{"resultInfo":{"resultStatus":"TXN_SUCCESS"}}"#])
    func aReplyThatIsNotASignedEnvelopeIsUnknownForAPayAndThrownByAnInquiry(_ text: String) async throws {
        let adapter = try PaytmAdapterUnitTests.adapter(.replying(TransportResponse(status: 200, body: Array(text.utf8))))
        let paid = try await adapter.pay(payment("WB-1", try inr("1.00"), customer: "C"))
        #expect(paid.status.unknownCategory == .invalidPartnerResponse)
        let error = await #expect(throws: WalletError.self) { _ = try await adapter.inquire(PaymentQuery(merchantReference: "WB-1")) }
        #expect(error?.category == .invalidPartnerResponse)
    }

    @Test func aSignedBodyOfTheWrongShapeIsUnknownForAPayAndThrownByAnInquiry() async throws {
        let adapter = try PaytmAdapterUnitTests.adapter(.replying(try PaytmAdapterUnitTests.reply(#"[1,2,3]"#)))
        #expect(try await adapter.pay(payment("WB-1", try inr("1.00"), customer: "C")).status.unknownCategory == .invalidPartnerResponse)
        let error = await #expect(throws: WalletError.self) { _ = try await adapter.inquire(PaymentQuery(merchantReference: "WB-1")) }
        #expect(error?.category == .invalidPartnerResponse)
    }

    static func form(_ fields: [String: String]) throws -> [UInt8] {
        var signed: [String: String?] = [:]
        for (name, value) in fields { signed[name] = value }
        var all = fields
        all["CHECKSUMHASH"] = try PaytmChecksum(merchantKey: SecretBytes(utf8: key)).generate(forParams: signed).checksum
        return PaytmForm.encode(all)
    }

    @Test func malformedOrForeignCallbacksAreRefused() throws {
        let adapter = try PaytmAdapterUnitTests.adapter(.replying(TransportResponse(status: 200)))
        let headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        let cases: [([UInt8], WalletError.Category)] = [
            (Array("ORDERID=%zz&CHECKSUMHASH=x".utf8), .invalidRequest),
            (try Self.form(["MID": "SOMEONEELSE000000001", "ORDERID": "WB-1", "STATUS": "TXN_SUCCESS", "TXNAMOUNT": "1.00"]), .invalidRequest),
            (try Self.form(["MID": PaytmAdapterUnitTests.mid, "STATUS": "TXN_SUCCESS"]), .invalidRequest),
            (try Self.form(["MID": PaytmAdapterUnitTests.mid, "ORDERID": "WB-1", "STATUS": "TXN_SUCCESS", "TXNAMOUNT": "1.0.0"]), .invalidRequest),
            (Array("MID=x&ORDERID=WB-1&STATUS=TXN_SUCCESS".utf8), .authenticationFailed),
        ]
        for (body, category) in cases {
            let error = #expect(throws: WalletError.self) {
                _ = try adapter.verifyNotification(InboundNotification(path: "/cb", headerFields: headers, body: body))
            }
            #expect(error?.category == category, "\(String(decoding: body, as: UTF8.self))")
        }
    }

    @Test func malformedWebhooksAreRefused() throws {
        let adapter = try PaytmAdapterUnitTests.adapter(.replying(TransportResponse(status: 200)))
        let checksum = try PaytmChecksum(merchantKey: SecretBytes(utf8: Self.key))
        let notJSON = "[1]"
        let signedNotJSON = #"{"head":{"signature":"\#(try checksum.generate(for: Array(notJSON.utf8)).checksum)"},"body":\#(notJSON)}"#
        let noOrder = #"{"status":"TXN_SUCCESS"}"#
        let signedNoOrder = #"{"head":{"signature":"\#(try checksum.generate(for: Array(noOrder.utf8)).checksum)"},"body":\#(noOrder)}"#
        for (text, category) in [
            ("{not json", WalletError.Category.invalidRequest), (#"{"body":{"orderId":"WB-1"}}"#, .authenticationFailed),
            (signedNotJSON, .invalidRequest), (signedNoOrder, .invalidRequest),
        ] {
            let inbound = InboundNotification(path: "/hook", headerFields: [.contentType: "application/json"], body: Array(text.utf8))
            let error = #expect(throws: WalletError.self) { _ = try adapter.verifyNotification(inbound) }
            #expect(error?.category == category, "\(text)")
        }
    }
}
