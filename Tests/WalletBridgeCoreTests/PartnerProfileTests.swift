import Foundation
import Testing
import WalletBridgeCore

@Suite("Partner profiles")
struct PartnerProfileTests {
    let toml = """
        # WalletBridge profiles
        [wallets.gcash]
        scheme = "alipayplus"
        base_url = "https://open-sea-global.alipayplus.com/"
        client_id = "SANDBOX_5YC47N2ZQHJ004124"
        key_version = "2"
        merchant_key = "file:keys/merchant.pem"   # relative to this file
        connect_timeout_ms = 1_500
        request_timeout_ms = 20000
        notify_url = "https://shop.example/hooks/gcash"
        ca_bundle = "/etc/ssl/partner-ca.pem"
        proxy = "http://proxy.internal:3128"
        client_certificate = '/etc/wb/mtls.pem'

        [wallets.gcash.partner_public_keys]
        "1" = "env:GCASH_PLATFORM_KEY_V1"
        "2" = "file:/etc/walletbridge/platform-v2.pem"

        [wallets.gcash.paths]
        pay = "/aps/api/v1/payments/pay"

        [wallets.gcash.settings]
        paymentMethodType = "GCASH"
        responsesSigned = true
        """

    @Test func tomlProfileLoads() throws {
        let file = try PartnerProfileFile(bytes: Array(toml.utf8), name: "walletbridge.toml", baseDirectory: "/srv/config")
        let profile = try file.profile(for: "gcash")
        #expect(profile.scheme == "alipayplus")
        #expect(profile.clientID == "SANDBOX_5YC47N2ZQHJ004124")
        #expect(profile.keyVersion == "2")
        #expect(profile.connectTimeout == .milliseconds(1500))
        #expect(profile.requestTimeout == .seconds(20))
        #expect(profile.url(path: "/aps/api/v1/payments/pay") == "https://open-sea-global.alipayplus.com/aps/api/v1/payments/pay")
        #expect(profile.paths["pay"] == "/aps/api/v1/payments/pay")
        #expect(profile.caBundlePath == "/etc/ssl/partner-ca.pem")
        #expect(profile.proxy == "http://proxy.internal:3128")
        #expect(profile.clientCertificatePath == "/etc/wb/mtls.pem")
        #expect(profile.clientKeyPath == nil)
        #expect(profile.settings == ["paymentMethodType": "GCASH", "responsesSigned": "true"])
        #expect(profile.merchantKey?.description == "file /srv/config/keys/merchant.pem")
        #expect(profile.partnerPublicKeys["1"]?.description == "environment variable GCASH_PLATFORM_KEY_V1")
        #expect(profile.partnerPublicKeys["2"]?.description == "file /etc/walletbridge/platform-v2.pem")
    }

    @Test func jsonProfileLoadsTheSameWay() throws {
        let json = """
            {"wallet": "gcash", "scheme": "alipayplus", "base_url": "http://127.0.0.1:8088", "client_id": "C",
             "merchant_key": "-----BEGIN PRIVATE KEY-----\\nMIIE...\\n-----END PRIVATE KEY-----",
             "partner_public_key": "file:platform.pem", "request_timeout_ms": 5000}
            """
        let profile = try PartnerProfileFile(bytes: Array(json.utf8), name: "p.json", baseDirectory: "cfg").profile(for: "gcash")
        #expect(profile.requestTimeout == .seconds(5))
        #expect(profile.partnerPublicKeys["1"]?.description == "file cfg/platform.pem")
        #expect(profile.merchantKey?.description == "inline key text")
        #expect(!profile.description.contains("MIIE"), "profiles never print key material")
    }

    @Test func environmentProfileFallsBackToThePresetHost() throws {
        let environment = [
            "WALLETBRIDGE_GCASH_CLIENT_ID": "C-1",
            "WALLETBRIDGE_GCASH_MERCHANT_KEY": "env:MY_KEY",
            "WALLETBRIDGE_GCASH_PARTNER_PUBLIC_KEY": "file:/keys/platform.pem",
            "WALLETBRIDGE_GCASH_REQUEST_TIMEOUT_MS": "7000",
            "WALLETBRIDGE_GCASH_PATH_PAY": "/custom/pay",
            "WALLETBRIDGE_GCASH_SETTING_paymentMethodType": "GCASH",
            "UNRELATED": "x",
        ]
        let profile = try PartnerProfile.fromEnvironment(wallet: "gcash", environment: environment)
        #expect(profile.baseURL == PartnerProfile.preset(wallet: "gcash", environment: .production)?.baseURL)
        #expect(profile.scheme == "alipayplus")
        #expect(profile.clientID == "C-1")
        #expect(profile.requestTimeout == .seconds(7))
        #expect(profile.paths["pay"] == "/custom/pay")
        #expect(profile.settings["paymentMethodType"] == "GCASH")
        #expect(throws: ProfileError.self) { _ = try PartnerProfile.fromEnvironment(wallet: "gcash", environment: [:]) }
    }

    @Test func presetsNameTheThreeWallets() {
        #expect(PartnerProfile.preset(wallet: "paytm", environment: .sandbox)?.baseURL == "https://securestage.paytmpayments.com")
        #expect(PartnerProfile.preset(wallet: "dana", environment: .production)?.baseURL == "https://api.saas.dana.id")
        #expect(PartnerProfile.preset(wallet: "nope", environment: .production) == nil)
    }

    @Test(arguments: [
        ("[wallets.gcash]\nscheme = \"a\"\nscheme = \"b\"", "defined twice"),
        ("[wallets.gcash]\nscheme = ", "expected a string"),
        ("[wallets.gcash\nscheme = \"a\"", "expected ]"),
        ("[wallets.gcash]\nbase_url = \"unterminated", "unterminated"),
        ("[wallets.gcash]\nscheme = \"alipayplus\"\nbase_url = \"ftp://x\"\nclient_id = \"c\"", "base_url must start"),
        ("[wallets.gcash]\nscheme = \"alipayplus\"\nclient_id = \"c\"", "base_url is required"),
        ("[wallets.gcash]\nscheme = \"alipayplus\"\nbase_url = \"https://x\"\nclient_id = \"c\"\nrequest_timeout_ms = \"ten\"", "milliseconds"),
        ("wallet = 3.5", "expected"),
    ])
    func malformedProfilesSayWhatIsWrong(text: String, expected: String) {
        do {
            _ = try PartnerProfileFile(bytes: Array(text.utf8), name: "bad.toml", baseDirectory: nil)
            Issue.record("accepted a malformed profile")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func malformedJSONIsAClearError() {
        #expect(throws: ProfileError.self) { _ = try PartnerProfileFile(bytes: Array("{\"wallet\": ".utf8), name: "p.json", baseDirectory: nil) }
        #expect(throws: ProfileError.self) {
            _ = try PartnerProfileFile(bytes: Array(#"{"wallet": "g", "scheme": 1.5}"#.utf8), name: "p.json", baseDirectory: nil)
        }
    }
}
