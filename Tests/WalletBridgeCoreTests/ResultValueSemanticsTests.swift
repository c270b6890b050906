import Foundation
import Testing
import WalletBridgeCore

/// `PaymentResult` and `RefundResult` keep their fields behind one copy-on-write reference:
/// they must still behave as plain values.
@Suite("Result value semantics")
struct ResultValueSemanticsTests {
    private let php = Money(minorUnits: 12_345, currency: .php)

    @Test func aMutatedCopyLeavesTheOriginalAsItWas() {
        let original = PaymentResult(status: .pending(nil), merchantReference: "WB-1", amount: php)
        var copy = original
        copy.status = .succeeded
        copy.walletReference = "W-9"
        #expect(original.status == .pending(nil))
        #expect(original.walletReference == nil)
        #expect(copy.status == .succeeded)
        #expect(copy.walletReference == "W-9")
        #expect(copy.merchantReference == "WB-1" && copy.amount == php)
        #expect(copy != original)

        let refund = RefundResult(status: .pending, refundReference: "R-1", amount: php)
        var refundCopy = refund
        refundCopy.status = .succeeded
        #expect(refund.status == .pending)
        #expect(refundCopy.status == .succeeded)
    }

    @Test func equalFieldsAreEqualWhateverTheirStorage() {
        let error = WalletError(.timeout, "no answer", mayHaveCharged: true)
        let one = PaymentResult(status: .unknown(error), merchantReference: "WB-2", amount: php, lastError: error)
        var two = PaymentResult(status: .succeeded, merchantReference: "WB-2", amount: php)
        two.status = .unknown(error)
        #expect(one != two, "lastError differs")
        two.lastError = error
        #expect(one == two)
        #expect(one == one)
    }

    @Test func describedLikeAStructWithItsFields() {
        let result = PaymentResult(status: .succeeded, merchantReference: "WB-3", walletReference: "W-3", amount: php)
        let text = String(describing: result)
        #expect(text.hasPrefix("PaymentResult(status: "), "\(text)")
        #expect(text.contains("merchantReference: \"WB-3\""), "\(text)")
        #expect(text.contains("walletReference: Optional(\"W-3\")"), "\(text)")
        #expect(!text.contains("box"), "\(text)")
        let refund = String(describing: RefundResult(status: .succeeded, refundReference: "R-3", amount: php))
        #expect(refund.hasPrefix("RefundResult(status: "), "\(refund)")
    }
}
