import Foundation
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeTransport

/// A sandbox on an ephemeral loopback port, a `CurlTransport`, and an adapter built from the
/// sandbox's profile for `wallet` (after `adjust`); everything is shut down after `body`.
func withSandboxAdapter<Adapter: Sendable, T: Sendable>(
    wallet: String,
    snapMode: String = "rsa",
    configure: (inout WalletSandbox.Configuration) -> Void = { _ in },
    adjust: (inout PartnerProfile) -> Void = { _ in },
    build: (PartnerProfile, any HTTPTransport) throws -> Adapter,
    _ body: (WalletSandbox, Adapter) async throws -> T
) async throws -> T {
    var configuration = WalletSandbox.Configuration()
    configure(&configuration)
    let sandbox = try await WalletSandbox.start(configuration)
    let transport = try CurlTransport()
    do {
        var profile = try sandbox.clientProfile(wallet: wallet, snapMode: snapMode)
        adjust(&profile)
        let result = try await body(sandbox, try build(profile, transport))
        await transport.shutdown()
        await sandbox.shutdown()
        return result
    } catch {
        await transport.shutdown()
        await sandbox.shutdown()
        throw error
    }
}

/// The Alipay+ adapter against the sandbox's GCash wallet.
func withGCash<T: Sendable>(
    _ body: (WalletSandbox, AlipayPlusAdapter) async throws -> T
) async throws -> T {
    try await withSandboxAdapter(
        wallet: "gcash",
        build: { profile, transport in
            AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport)
        }, body)
}

func php(_ text: String) throws -> Money { try Money(parsing: text, currency: .php) }

/// A merchant reference no other test uses.
func reference(_ label: String) -> String { "WB-\(label)-\(UUID().uuidString.prefix(8))" }

func payment(_ ref: String, _ amount: Money, customer: String, notifyURL: String? = nil) -> PaymentRequest {
    PaymentRequest(
        merchantReference: ref, amount: amount, customer: CustomerCredential(customer), orderDescription: "Test order", notifyURL: notifyURL)
}

extension PaymentStatus {
    var isSucceeded: Bool { if case .succeeded = self { return true } else { return false } }
    var isPending: Bool { if case .pending = self { return true } else { return false } }
    var isCancelled: Bool { if case .cancelled = self { return true } else { return false } }
    var failureCategory: WalletError.Category? { if case .failed(let error) = self { return error.category } else { return nil } }
    var unknownCategory: WalletError.Category? { if case .unknown(let error) = self { return error.category } else { return nil } }
}
