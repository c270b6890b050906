import Foundation
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeSandbox
import WalletBridgeTransport

/// The Touch 'n Go-style wallet's own terms (`AlipayPlusWallet.tng`, in the adapter's
/// `Wallets/TNG.swift`) end to end through the sandbox's tng emulation, independent of the
/// contract scenarios: its per-payment limit (the standard `USER_AMOUNT_EXCEED_LIMIT`) and
/// its own e-KYC tier code.
@Suite("Touch 'n Go-style wallet")
struct TNGEndToEndTests {
    /// Clients for the tng adapter built from the sandbox's profile (`mapped`), and for the
    /// same adapter without the wallet's own result codes (`shared`: the shared mapping only).
    func withTNG(_ body: (WalletSandbox, _ mapped: WalletClient, _ shared: WalletClient) async throws -> Void) async throws {
        try await withSandboxAdapter(
            wallet: "tng",
            build: { profile, transport -> (AlipayPlusAdapter, AlipayPlusAdapter) in
                let configuration = try AlipayPlusConfiguration(profile: profile)
                var sharedOnly = configuration
                sharedOnly.resultCodes = [:]
                return (
                    AlipayPlusAdapter(walletName: "tng", configuration: configuration, transport: transport),
                    AlipayPlusAdapter(walletName: "tng", configuration: sharedOnly, transport: transport)
                )
            }
        ) { sandbox, adapters in
            try await body(sandbox, fastClient(adapters.0), fastClient(adapters.1))
        }
    }

    func myr(_ text: String) throws -> Money { try Money(parsing: text, currency: .myr) }

    func failure(_ result: PaymentResult) -> WalletError? {
        if case .failed(let error) = result.status { return error }
        return nil
    }

    @Test func theProfileBringsTheWalletsTerms() throws {
        let profile = try WalletSandbox.clientProfile(wallet: "tng", baseURL: "http://127.0.0.1:9")
        let configuration = try AlipayPlusConfiguration(profile: profile)
        #expect(configuration.resultCodes == AlipayPlusWallet.tng.resultCodes)
        #expect(configuration.resultCodes["EKYC_TIER_LIMIT_EXCEEDED"] == .limitExceeded)
        // Found by the wallet's name alone, the terms supply the defaults the settings leave out.
        var bare = profile
        bare.settings = [:]
        let byName = try AlipayPlusConfiguration(profile: bare)
        #expect(byName.paymentMethodType == "TNG" && byName.walletCurrency == .myr && byName.merchantCurrencies == [.myr])
        #expect(byName.resultCodes == AlipayPlusWallet.tng.resultCodes)
        // GCash has no codes of its own.
        #expect(try AlipayPlusConfiguration(profile: WalletSandbox.clientProfile(wallet: "gcash", baseURL: "http://127.0.0.1:9")).resultCodes.isEmpty)
    }

    @Test func aPaymentAboveThePerPaymentLimitFailsAsLimitExceeded() async throws {
        try await withTNG { sandbox, client, _ in
            let limit = try #require(AlipayPlusWallet.tng.perPaymentLimit)
            let overReference = reference("TNG-OVER")
            let over = try await client.pay(payment(overReference, Money(minorUnits: limit.minorUnits + 1, currency: .myr), customer: "tng-pays"))
            let error = try #require(failure(over), "\(over.status)")
            #expect(error.category == .limitExceeded)
            #expect(error.partnerCode == "USER_AMOUNT_EXCEED_LIMIT")
            #expect(!error.mayHaveCharged)
            let entry = try #require(sandbox.ledgerSnapshot(wallet: "tng").first { $0.merchantReference == overReference })
            #expect(entry.charges == 0 && entry.state == "failed")

            let at = try await client.pay(payment(reference("TNG-AT"), limit, customer: "tng-pays"))
            #expect(at.status == .succeeded)
        }
    }

    @Test func anUnverifiedCustomerMeetsTheWalletsOwnTierCode() async throws {
        try await withTNG { sandbox, client, sharedOnly in
            let overReference = reference("TNG-KYC")
            let over = try await client.pay(payment(overReference, try myr("200.01"), customer: "tng-unverified"))
            let error = try #require(failure(over), "\(over.status)")
            #expect(error.category == .limitExceeded, "the wallet's own table, not the shared default")
            #expect(error.partnerCode == "EKYC_TIER_LIMIT_EXCEEDED")
            #expect(sandbox.ledgerSnapshot(wallet: "tng").first { $0.merchantReference == overReference }?.charges == 0)

            // Without the wallet's table the code falls to the shared mapping's default.
            let unmapped = try await sharedOnly.pay(payment(reference("TNG-KYC-SHARED"), try myr("200.01"), customer: "tng-unverified"))
            #expect(failure(unmapped)?.category == .declined)

            let within = try await client.pay(payment(reference("TNG-KYC-OK"), try myr("200.00"), customer: "tng-unverified"))
            #expect(within.status == .succeeded)
        }
    }
}
