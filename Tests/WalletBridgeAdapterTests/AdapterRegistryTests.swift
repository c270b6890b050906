import Foundation
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeTesting

/// The explicit adapter registry: schemes to factories, passed in.
@Suite struct AdapterRegistryTests {
    static let profile = PartnerProfile(
        wallet: "tng", scheme: "alipayplus", baseURL: "http://127.0.0.1:9", clientID: "C",
        merchantKey: .string(SandboxCredentials.merchantPrivateKeyPEM), keyVersion: "1",
        partnerPublicKeys: ["1": .string(SandboxCredentials.platformPublicKeyPEM)],
        settings: ["paymentMethodType": "TNG", "productCode": "AGREEMENT_PAYMENT"])

    @Test func aRegisteredSchemeBuildsItsAdapterUnderTheProfilesWalletName() throws {
        var registry = WalletAdapterRegistry()
        registry.register(scheme: "alipayplus") { profile, transport, environment in
            AlipayPlusAdapter(
                walletName: profile.wallet, configuration: try AlipayPlusConfiguration(profile: profile), transport: transport,
                clock: environment.clock)
        }
        let adapter = try registry.adapter(
            for: Self.profile, transport: MockTransport { _ in TransportResponse(status: 500, headerFields: [:], body: []) })
        #expect(adapter.walletName == "tng")
        #expect(registry.schemes == ["alipayplus"])
    }

    @Test func anUnregisteredSchemeIsAProfileErrorNamingWhatIsRegistered() {
        let registry = WalletAdapterRegistry(["paytm": { _, _, _ in throw ProfileError("unused") }])
        #expect(throws: ProfileError("profile tng: scheme alipayplus has no adapter registered (registered: paytm)")) {
            _ = try registry.adapter(for: Self.profile, transport: MockTransport { _ in TransportResponse(status: 500, headerFields: [:], body: []) })
        }
    }
}
