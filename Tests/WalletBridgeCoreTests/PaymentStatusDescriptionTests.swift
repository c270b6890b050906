import Testing
import WalletBridgeCore

/// `print(status)` and string interpolation never show a next action's token, payload or URL
/// query: they are for the customer's device only.
@Suite struct PaymentStatusDescriptionTests {
    static let token = "TXNTOKEN-6f1e2d3c4b5a69788796a5b4c3d2e1f0"

    @Test func aPendingPaytmPaymentDoesNotPrintItsToken() {
        let status = PaymentStatus.pending(.token(Self.token))
        for text in [String(describing: status), "\(status)", String(reflecting: status)] {
            #expect(!text.contains(Self.token), "\(text)")
            #expect(text.contains("pending(token("))
        }
        let result = PaymentResult(status: status, merchantReference: "ORDER-1", amount: nil)
        #expect(!String(describing: result).contains(Self.token))
        #expect(!String(reflecting: result).contains(Self.token))
    }

    @Test func aRedirectShowsItsPageButNotItsQuery() {
        let action = NextAction.redirect(url: "https://wallet.example/consent?code=\(Self.token)")
        #expect(action.description == "redirect(https://wallet.example/consent?…)")
        #expect(NextAction.qrCode(payload: Self.token).description == "qrCode(\(Self.token.count) characters, not shown)")
        #expect(action.value.contains(Self.token), "the value itself is intact for the customer's device")
    }
}
