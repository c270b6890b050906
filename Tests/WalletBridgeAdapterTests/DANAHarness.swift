import Foundation
import HTTPTypes
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeSNAP
import WalletBridgeTransport

/// The SNAP adapter (RSA or token mode) against the sandbox's DANA wallet.
func withDANA<T: Sendable>(
    mode: String = "rsa",
    adjust: (inout PartnerProfile) -> Void = { _ in },
    _ body: (WalletSandbox, SNAPAdapter) async throws -> T
) async throws -> T {
    try await withSandboxAdapter(
        wallet: "dana", snapMode: mode, adjust: adjust,
        build: { profile, transport in
            SNAPAdapter(configuration: try SNAPConfiguration(profile: profile), transport: transport)
        }, body)
}

func idr(_ text: String) throws -> Money { try Money(parsing: text, currency: .idr) }

/// Sends one RSA-signed SNAP request by hand (for what the adapter never does, such as reusing
/// an X-EXTERNAL-ID), and returns the HTTP status and the body's responseCode.
func rawSNAP(
    _ sandbox: WalletSandbox, path: String, body: String, externalID: String, authorization: String? = nil,
    customer: String? = nil, signature: String? = nil
) async throws -> (status: Int, code: String, body: String) {
    let transport = try CurlTransport()
    let timestamp = TimestampText.iso8601(Date(), offsetHours: 7)
    let signer = SNAPRSASigner(privateKey: try RSAPrivateKey(text: SandboxCredentials.merchantPrivateKeyPEM))
    let signed = try signer.sign(method: "POST", path: path, body: Array(body.utf8), timestamp: timestamp)
    var headers: HTTPFields = [
        .contentType: "application/json", .xTimestamp: timestamp, .xSignature: signature ?? signed.value,
        .xPartnerID: SandboxCredentials.danaPartnerID, .xExternalID: externalID, .channelID: "95221",
    ]
    if let authorization { headers.append(HTTPField(name: .authorization, value: authorization)) }
    if let customer { headers.append(HTTPField(name: .authorizationCustomer, value: "Bearer " + customer)) }
    let response = try await transport.send(
        TransportRequest(method: .post, url: sandbox.baseURL + path, headerFields: headers, body: Array(body.utf8)))
    await transport.shutdown()
    let text = String(decoding: response.body, as: UTF8.self)
    let code = (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["responseCode"] as? String ?? ""
    return (response.status, code, text)
}

/// A direct-debit body as the adapter would send it, minified.
func danaPaymentBody(_ reference: String, _ value: String) -> String {
    #"{"additionalInfo":{"envInfo":{"sourcePlatform":"IPG","terminalType":"SYSTEM"},"mcc":"5732","order":{"orderTitle":"t","scenario":"API"}},"amount":{"currency":"IDR","value":"\#(value)"},"merchantId":"\#(SandboxCredentials.danaMerchantID)","partnerReferenceNo":"\#(reference)","payOptionDetails":[{"payMethod":"BALANCE","payOption":"","transAmount":{"currency":"IDR","value":"\#(value)"}}],"urlParams":[],"validUpTo":"2026-11-24T10:34:05+07:00"}"#
}
