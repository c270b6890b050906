import Foundation
import Testing
import WalletBridgeSignatureTool

/// What `walletbridge sign` / `verify` do with cases that cannot be used (exit status 2).
@Suite("Signature tool: unusable cases")
struct SignatureToolTests {
    let tool = SignatureTool(baseDirectory: Vectors.directory)

    func caseError(_ scheme: SignatureTool.Scheme, _ json: String, verify: Bool = true) -> String? {
        do {
            if verify { _ = try tool.verify(scheme: scheme, json: Data(json.utf8)) } else { _ = try tool.sign(scheme: scheme, json: Data(json.utf8)) }
            return nil
        } catch {
            return error.message
        }
    }

    @Test func badJSONMissingFieldsUnreadableKeysAndUnknownKinds() {
        #expect(caseError(.paytm, "{not json")?.contains("not valid JSON") == true)
        #expect(caseError(.paytm, "[1]")?.contains("JSON object") == true)
        #expect(caseError(.paytm, #"{"body":"{}"}"#)?.contains("\"kind\"") == true)
        #expect(caseError(.paytm, #"{"kind":"checksum-string","merchant_key":"SDOr4vU+L2wkTaKX","body":"{}"}"#)?.contains("\"checksum\"") == true)
        #expect(caseError(.alipayplus, #"{"kind":"amount"}"#)?.contains("unknown kind") == true)
        #expect(caseError(.snap, #"{"kind":"request"}"#)?.contains("unknown kind") == true)
        #expect(
            caseError(
                .snap,
                #"{"kind":"asymmetric","method":"POST","path":"/","body":"","timestamp":"T","signature":"x","public_key_file":"keys/nope.pem"}"#)?
                .contains("cannot read key file") == true)
        #expect(
            caseError(.alipayplus, #"{"kind":"request","path":"/","client_id":"c","time":"t","body":"","private_key_pem":"garbage"}"#, verify: false)?
                .contains("unusable private key") == true)
        #expect(
            caseError(.paytm, #"{"kind":"checksum-params","merchant_key":"SDOr4vU+L2wkTaKX","params":{"A":1},"checksum":"x"}"#)?
                .contains("string or null") == true)
    }

    @Test func inlineKeyWinsOverKeyFile() throws {
        // A wrong inline merchant key must be used even though the key file holds the right one.
        let json =
            #"{"kind":"checksum-string","merchant_key":"AAAAAAAAAAAAAAAA","merchant_key_file":"keys/test-only-paytm-merchant-key.txt","body":"{}","salt":"aB3x"}"#
        let withInline = try tool.sign(scheme: .paytm, json: Data(json.utf8)).wireValue
        let fromFile = try tool.sign(scheme: .paytm, json: Data(json.replacingOccurrences(of: #""merchant_key":"AAAAAAAAAAAAAAAA","#, with: "").utf8))
            .wireValue
        #expect(withInline != fromFile)
    }

    @Test func explanationMasksTheAccessTokenUnlessAsked() throws {
        let json =
            #"{"kind":"symmetric","method":"POST","path":"/p","body":"{}","timestamp":"T","access_token":"SECRET-TOKEN-123456","client_secret":"s"}"#
        let masked = try tool.sign(scheme: .snap, json: Data(json.utf8))
        #expect(!masked.explanation.joined().contains("SECRET-TOKEN-123456"))
        let shown = try SignatureTool(baseDirectory: Vectors.directory, showSecrets: true).sign(scheme: .snap, json: Data(json.utf8))
        #expect(shown.explanation.joined().contains("SECRET-TOKEN-123456"))
    }

    @Test func unsignedEnvelopeIsInvalidNotAnError() throws {
        let json = #"{"kind":"envelope","merchant_key":"SDOr4vU+L2wkTaKX","envelope":"{\"head\":{},\"body\":{}}"}"#
        let report = try tool.verify(scheme: .paytm, json: Data(json.utf8))
        #expect(!report.valid && report.reason.contains("unsigned"))
    }
}
