import Foundation
import HTTPTypes
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeTransport

/// The consent step against the embedded sandbox, answered as the sandbox's test customer
/// would: the consent page's approve endpoint gives the URL the wallet sends the customer back
/// to (with the authorization code and the state).
enum SandboxConsent {
    /// The redirect URL after `customer` answers the consent page of `start`.
    static func approve(
        _ start: AuthorizationStart, customer: String, sandbox: WalletSandbox, transport: any HTTPTransport
    ) async throws(WalletError) -> String {
        let page = start.action.value
        let body: [String: String]
        let path: String
        if let session = URLComponents(string: page)?.queryItems?.first(where: { $0.name == "session" })?.value {
            // Alipay+ wallets: a consult session.
            (path, body) = ("/sandbox/consent/approve", ["session": session, "customer": customer])
        } else if URLComponents(string: page)?.path == "/sandbox/paytm/otp" {
            // Paytm Auto Debit: the sandbox's OTP page (the OTP is sent to the customer's phone).
            (path, body) = ("/sandbox/paytm/otp/approve", ["consentURL": page, "customer": customer])
        } else {
            // SNAP wallets: the binding URL the adapter built.
            (path, body) = ("/sandbox/dana/consent/approve", ["consentURL": page, "customer": customer])
        }
        let bytes: [UInt8]
        do {
            bytes = Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
        } catch {
            throw WalletError(.invalidRequest, "could not encode the consent answer", mayHaveCharged: false)
        }
        let response: TransportResponse
        do {
            response = try await transport.send(
                TransportRequest(method: .post, url: sandbox.baseURL + path, headerFields: [.contentType: "application/json"], body: bytes))
        } catch {
            throw WalletError(.partnerUnavailable, "the sandbox's consent page did not answer: \(error)", mayHaveCharged: false)
        }
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        guard response.status == 200, let redirect = object?["redirect"] as? String else {
            let reason = (object?["error"] as? String) ?? "HTTP \(response.status)"
            throw WalletError(.invalidRequest, "the sandbox's consent page refused: \(reason)", mayHaveCharged: false)
        }
        return redirect
    }
}
