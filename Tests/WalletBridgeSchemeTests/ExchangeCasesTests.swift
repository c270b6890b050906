import Foundation
import Testing
import WalletBridgeCrypto
import WalletBridgePaytm
import WalletBridgeSignatureTool

/// ``ExchangeCases``: an exchange written as cases that ``SignatureTool`` verifies as they are,
/// with secret keys only by file reference.
@Suite("Exchange cases")
struct ExchangeCasesTests {
    static let key = "SDOr4vU+L2wkTaKX"

    static func envelope(_ body: String, key: String) throws -> [UInt8] {
        let checksum = try PaytmChecksum(merchantKey: SecretBytes(utf8: key)).generate(for: Array(body.utf8)).checksum
        return Array(#"{"head":{"signature":"\#(checksum)"},"body":\#(body)}"#.utf8)
    }

    static func keyFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wb-case-key-\(UUID().uuidString).txt").path
        try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func paytmExchange() throws -> RecordedExchange {
        RecordedExchange(
            method: "POST", path: "/v3/order/status", requestHeaders: ["Content-Type": "application/json"],
            requestBody: try envelope(#"{"mid":"M1","orderId":"WB-1"}"#, key: key), status: 200, responseHeaders: [:],
            responseBody: try envelope(#"{"resultInfo":{"resultStatus":"TXN_SUCCESS","resultCode":"01"},"orderId":"WB-1"}"#, key: key))
    }

    @Test func aPaytmExchangeRoundTripsThroughVerifyWithAKeyFileOnly() throws {
        let file = try Self.keyFile(Self.key)
        let (cases, skipped) = ExchangeCases.cases(try Self.paytmExchange(), scheme: .paytm, keys: CaseKeys(merchantKeyFile: file), id: "001-inquire")
        #expect(skipped.isEmpty)
        #expect(cases.map(\.name) == ["001-inquire-request", "001-inquire-response"])
        let tool = SignatureTool(baseDirectory: URL(fileURLWithPath: "/"))
        for dumped in cases {
            #expect(!String(decoding: dumped.json, as: UTF8.self).contains(Self.key), "no key text in \(dumped.name)")
            #expect(try tool.verify(scheme: .paytm, json: dumped.json).valid, "\(dumped.name) verifies")
        }
        // Our request re-signs (random salt) from its `body`.
        #expect(!(try tool.sign(scheme: .paytm, json: cases[0].json)).wireValue.isEmpty)
    }

    @Test func aCaseFromAWrongKeyFailsNamingTheKeyFile() throws {
        let wrong = try Self.keyFile("WRONG+KEY/abc123")
        let (cases, _) = ExchangeCases.cases(try Self.paytmExchange(), scheme: .paytm, keys: CaseKeys(merchantKeyFile: wrong), id: "001-pay")
        let report = try SignatureTool(baseDirectory: URL(fileURLWithPath: "/")).verify(scheme: .paytm, json: cases[1].json)
        #expect(!report.valid)
        #expect(report.reason.contains("merchant_key_file \(wrong)"))
    }

    @Test func snapHMACRequestsAreSkippedAndNotesTravel() throws {
        let exchange = RecordedExchange(
            method: "POST", path: "/v1.0/debit/status.htm",
            requestHeaders: ["Authorization": "Bearer secret-token", "X-TIMESTAMP": "t", "X-SIGNATURE": "s"],
            requestBody: Array("{}".utf8), status: 200, responseHeaders: [:], responseBody: Array("{}".utf8))
        let (cases, skipped) = ExchangeCases.cases(exchange, scheme: .snap, keys: CaseKeys(notes: ["a note"]), id: "002-inquire")
        #expect(cases.isEmpty)
        #expect(skipped.count == 2)
        #expect(!skipped.joined().contains("secret-token"))
    }
}
