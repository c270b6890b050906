// The first-payment example of the WalletBridgeCore documentation (GettingStarted.md), compiled
// here and run against the sandbox by ArticleExampleTests, which also checks that the article's
// code block is the text between the markers.
// ARTICLE-BEGIN
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgePaytm
import WalletBridgeSNAP
import WalletBridgeTransport

/// Takes one payment from each sandbox wallet, with the profiles in `profilePath`
/// (`walletbridge sandbox --write-config DIR` writes `DIR/walletbridge.json`).
func firstPayments(profilePath: String) async throws -> [String: PaymentResult] {
    let profiles = try PartnerProfileFile(path: profilePath)
    return try await withCurlTransport { transport in
        // Each scheme's configuration reads its settings from the profile and loads its keys.
        let gcash = AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profiles.profile(for: "gcash")), transport: transport)
        let paytm = PaytmAdapter(configuration: try PaytmConfiguration(profile: profiles.profile(for: "paytm")), transport: transport)
        let dana = SNAPAdapter(configuration: try SNAPConfiguration(profile: profiles.profile(for: "dana")), transport: transport)
        let orders: [(any WalletAdapter, PaymentRequest)] = [
            (
                gcash,
                PaymentRequest(
                    merchantReference: "FIRST-GCASH-1", amount: try Money(parsing: "10.00", currency: .php),
                    customer: CustomerCredential("gcash-pays"), orderDescription: "First GCash-style payment")
            ),
            (
                paytm,
                PaymentRequest(
                    merchantReference: "FIRST-PAYTM-1", amount: try Money(parsing: "10.00", currency: .inr),
                    customer: CustomerCredential("paytm-pays"), orderDescription: "First Paytm-style payment")
            ),
            (
                dana,
                PaymentRequest(
                    merchantReference: "FIRST-DANA-1", amount: try Money(parsing: "10000", currency: .idr),
                    customer: CustomerCredential("dana-pays"), orderDescription: "First DANA-style payment")
            ),
        ]
        var results: [String: PaymentResult] = [:]
        for (adapter, request) in orders {
            // One client per wallet. Its journal is in memory here; give it an
            // SQLitePaymentJournal (WalletBridgeSQLite) in production.
            let client = WalletClient(adapter: adapter)
            var result = try await client.pay(request)
            if case .pending(.some) = result.status {
                // The customer has something to do first (Paytm: its checkout, with the
                // `txnToken` of the next action; the sandbox's customers complete it at once).
                // Then the wallet's own rule settles the payment.
                result = try await client.settle(merchantReference: request.merchantReference, within: .seconds(30))
            }
            results[adapter.walletName] = result
        }
        return results
    }
}
// ARTICLE-END
