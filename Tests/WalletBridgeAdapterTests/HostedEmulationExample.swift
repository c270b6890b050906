// The sample of Specs/AddingAWallet.md ("A wallet we do not ship: hosting your emulation"),
// compiled and run by HostedEmulationTests. Keep the two in step: the test compares the text
// between the markers with the guide's code block.
// GUIDE-BEGIN
import Foundation
import HTTPTypes
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP
import WalletBridgeSandbox

extension HTTPField.Name {
    /// ToyPay's signature header (a literal: `known` never traps, and a test checks it).
    static let toySignature = HTTPField.Name.known("Toy-Signature")
}

/// ToyPay's wire: JSON bodies, each signed with HMAC-SHA256 (hex) in `Toy-Signature`.
enum ToyPayWire {
    static let key = "toypay-test-only-key-0123456789"

    struct Message: Codable, Sendable {
        var reference: String
        var amount: String?
        var customer: String?
        var status: String?  // PAID, DECLINED, UNKNOWN_REFERENCE, INCONSISTENT
        var walletReference: String?
    }

    static func sign(_ body: [UInt8]) -> String {
        let mac = (try? HMAC.sha256(key: SecretBytes(utf8: key), data: body)) ?? []
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}

/// The sandbox side of ToyPay: verifies, keeps its payments in the sandbox's ledger, signs.
struct ToyPayEmulation: SandboxWalletEmulation {
    let wallet = "toypay"
    let referenceFields = ["reference"]
    let amountFields = ["amount"]

    func handles(_ request: SandboxRequest) -> Bool { request.path.hasPrefix("/toypay/") }

    func operation(of request: SandboxRequest) -> WalletCapabilities.Operation? {
        switch request.path {
        case "/toypay/pay": return .pay
        case "/toypay/status": return .inquire
        default: return nil
        }
    }

    func clientProfile(baseURL: String) throws -> PartnerProfile {
        PartnerProfile(wallet: wallet, scheme: "toypay", baseURL: baseURL, clientID: "toy-merchant", merchantKey: .string(ToyPayWire.key))
    }

    func handle(_ request: SandboxRequest, context: SandboxEmulationContext) async -> SandboxReply {
        guard request.headerFields[.toySignature] == ToyPayWire.sign(request.body),
            let asked = try? JSONDecoder().decode(ToyPayWire.Message.self, from: Data(request.body))
        else { return SandboxReply(status: 401) }
        let paying = request.path == "/toypay/pay"
        let answer = try? context.ledger.update(asked.reference) { record -> ToyPayWire.Message in
            if paying, record == nil {  // a new payment: charge it once
                var payment = SandboxLedgerRecord(
                    merchantReference: asked.reference, walletReference: "TOY-" + asked.reference,
                    amount: try Money(parsing: asked.amount ?? "", currency: .usd), customerID: asked.customer ?? "",
                    content: asked.amount ?? "")
                payment.state = asked.customer == "toy-declines" ? .failed : .succeeded
                payment.charges = payment.state == .succeeded ? 1 : 0
                record = payment
            }
            guard let payment = record else { return ToyPayWire.Message(reference: asked.reference, status: "UNKNOWN_REFERENCE") }
            if paying, payment.content != asked.amount { return ToyPayWire.Message(reference: asked.reference, status: "INCONSISTENT") }
            return ToyPayWire.Message(
                reference: payment.merchantReference, amount: payment.amount.decimalString,
                status: payment.state == .succeeded ? "PAID" : "DECLINED", walletReference: payment.walletReference)
        }
        guard let answer, let body = try? Array(JSONEncoder().encode(answer)) else { return SandboxReply(status: 400) }
        var reply = SandboxReply.json(200, body)
        // A wire-level fault the sandbox offers: honour the ones ToyPay's wire has a meaning for.
        let signature = context.fault == .tamperResponseSignature ? String(repeating: "0", count: 64) : ToyPayWire.sign(body)
        reply.headerFields[.toySignature] = signature
        return reply
    }
}

/// A sandbox hosting ToyPay beside the built-in wallets.
func startToyPaySandbox() async throws -> WalletSandbox {
    var configuration = WalletSandbox.Configuration()
    configuration.emulations = [ToyPayEmulation()]
    return try await WalletSandbox.start(configuration)
}
// GUIDE-END
