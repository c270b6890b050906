import Foundation
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeSignatureTool

/// Replays every shared interop vector through the library (by way of the signature tool).
@Suite("Shared interop vectors")
struct VectorReplayTests {
    let tool = SignatureTool(baseDirectory: Vectors.directory, showSecrets: true)

    @Test func vectorsAreAllPresent() {
        #expect(Vectors.load("paytm").count == 29)
        #expect(Vectors.load("alipayplus").count == 30)
        #expect(Vectors.load("snap").count == 21)
    }

    @Test(arguments: Vectors.cases("sign"))
    func signCaseReproducesExpected(vector: VectorCase) throws {
        let scheme = try #require(SignatureTool.Scheme(rawValue: vector.scheme))
        let report = try tool.sign(scheme: scheme, json: vector.json)
        let produced = Dictionary(report.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        // Paytm's `envelope` output holds a head (timestamp, client id) that the case's inputs do not determine.
        let comparable = vector.expectedFields.filter { $0.key != "envelope" }
        #expect(!comparable.isEmpty)
        for (name, value) in comparable {
            #expect(produced[name] == value, "\(vector.id): \(name)")
        }
        // And the signature verifies with the tool's own verifier.
        if vector.scheme != "paytm" || vector.kind != "checksum-params" {
            var object = try #require(try JSONSerialization.jsonObject(with: vector.json) as? [String: Any])
            switch vector.scheme {
            case "alipayplus": object["signature_header"] = report.wireValue
            case "snap": object["signature"] = report.wireValue
            default: object["checksum"] = report.wireValue
            }
            if vector.kind == "envelope" {
                object["envelope"] = "{\"head\":{\"signature\":\"\(report.wireValue)\"},\"body\":\(object["body"] as? String ?? "")}"
            }
            let verified = try tool.verify(scheme: scheme, json: JSONSerialization.data(withJSONObject: object))
            #expect(verified.valid, "\(vector.id): \(verified.reason)")
        }
    }

    @Test(arguments: Vectors.cases("verify"))
    func verifyCaseMatchesExpectedValidity(vector: VectorCase) throws {
        let scheme = try #require(SignatureTool.Scheme(rawValue: vector.scheme))
        let report = try tool.verify(scheme: scheme, json: vector.json)
        #expect(report.valid == vector.valid, "\(vector.id): \(report.reason)")
        #expect(!report.reason.isEmpty)
    }

    @Test(arguments: Vectors.cases("convert"))
    func amountConversions(vector: VectorCase) throws {
        let amount = try #require(vector.amount)
        let code = try #require(vector.currency)
        if let expectedError = vector.expectedError {
            #expect(expectedError == "RULE_VIOLATION")
            let error = try #require(throws: MoneyError.self) { try AlipayPlusAmount(Money(parsing: amount, currencyCode: code)) }
            #expect(error.kind == .ruleViolation)
            // The wire form is refused on the way in too.
            #expect(throws: MoneyError.self) { try AlipayPlusAmount(currency: "IDR", value: "1000050").money() }
        } else {
            let wire = try AlipayPlusAmount(Money(parsing: amount, currencyCode: code))
            #expect(wire.value == vector.expectedFields["value"])
            #expect(wire.currency == code)
            #expect(try wire.money().decimalString == vector.expectedFields["back"])
        }
    }
}
