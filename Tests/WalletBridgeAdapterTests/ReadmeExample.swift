// The library example in README.md, compiled and run by ReadmeExampleTests. Keep the two in
// step: the test compares the text between the markers with the README's code block.
// README-BEGIN
import Logging
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeTransport

/// Takes one GCash payment with the profile in `profilePath` and says what to do next.
func payForOrder(profilePath: String, customerToken: String, logger: Logger) async throws -> String {
    let profile = try PartnerProfileFile(path: profilePath).profile(for: "gcash")
    return try await withCurlTransport { transport in  // one transport, shut down at the end
        let configuration = try AlipayPlusConfiguration(profile: profile)
        let client = WalletClient(adapter: AlipayPlusAdapter(configuration: configuration, transport: transport), logger: logger)
        let result = try await client.pay(
            PaymentRequest(
                merchantReference: "ORDER-1001",  // yours; reuse it (and the same body) to retry
                amount: try Money(parsing: "10.00", currency: .php),
                customer: CustomerCredential(customerToken),  // the auto-debit access token
                orderDescription: "Coffee beans"
            ))
        switch result.status {
        case .succeeded: return "paid, wallet reference \(result.walletReference ?? "?")"
        case .pending(let action): return "waiting for the customer (\(action?.kind ?? "no action")); inquire later"
        case .failed(let reason): return "not paid: \(reason.category)"
        case .cancelled: return "cancelled"
        case .unknown(let reason): return "may have been charged (\(reason.category)): inquire before anything else"
        }
    }
}
// README-END
