import Foundation
import WalletBridgeCore

/// A documented test customer of the sandbox wallet. Its id is what a merchant sends as the
/// customer credential (Alipay+ `paymentMethodId`, the access token of an auto-debit agreement).
public struct SandboxCustomer: Sendable, Equatable {
    /// How the customer's payments go.
    public enum Behaviour: String, Sendable, Equatable {
        /// Pays from a large balance.
        case pays
        /// Has a small balance: anything above it fails with insufficient funds.
        case insufficientFunds
        /// Declines every payment in the wallet app.
        case declines
        /// Stays in process for a few inquiries, then pays.
        case staysInProcess
        /// Must confirm in the wallet app (a next action), then pays on the next inquiry.
        case confirmsInApp
    }

    /// The id to pay with.
    public let id: String
    /// Which wallet the customer belongs to.
    public let wallet: String
    /// What happens when they pay.
    public let behaviour: Behaviour
    /// The currency their wallet holds.
    public let currency: Currency
    /// Their opening balance, in minor units of ``currency``.
    public let openingBalance: Int64
    /// For `staysInProcess` and `confirmsInApp`: how many inquiries answer "in process" before it succeeds.
    public let inquiriesBeforeResult: Int
    /// Whether the customer has completed the wallet's identity check (e-KYC). A wallet that
    /// tiers its limits by it (the Touch 'n Go-style `tng`) allows less to a customer without.
    public let kycVerified: Bool
    /// One line for `--list-customers` and the README.
    public let summary: String
    /// Whether the customer refuses consent when a merchant asks to bind their wallet (the
    /// consent page then redirects with `error=ACCESS_DENIED`).
    let refusesConsent: Bool
    /// How long an access token issued for this customer lives, in sandbox seconds.
    let accessTokenLifetime: TimeInterval

    init(
        id: String, wallet: String, behaviour: Behaviour, currency: Currency, openingBalance: Int64, inquiriesBeforeResult: Int,
        kycVerified: Bool = true, refusesConsent: Bool = false, accessTokenLifetime: TimeInterval = 3600, summary: String
    ) {
        self.refusesConsent = refusesConsent
        self.accessTokenLifetime = accessTokenLifetime
        self.id = id
        self.wallet = wallet
        self.behaviour = behaviour
        self.currency = currency
        self.openingBalance = openingBalance
        self.inquiriesBeforeResult = inquiriesBeforeResult
        self.kycVerified = kycVerified
        self.summary = summary
    }

    /// The sandbox's customers.
    public static let all: [SandboxCustomer] = [
        SandboxCustomer(
            id: "gcash-pays", wallet: "gcash", behaviour: .pays, currency: .php, openingBalance: 100_000_000,
            inquiriesBeforeResult: 0, summary: "pays (PHP wallet, balance 1,000,000.00)"),
        SandboxCustomer(
            id: "gcash-low-balance", wallet: "gcash", behaviour: .insufficientFunds, currency: .php, openingBalance: 500,
            inquiriesBeforeResult: 0, summary: "insufficient funds above PHP 5.00 (USER_BALANCE_NOT_ENOUGH)"),
        SandboxCustomer(
            id: "gcash-declines", wallet: "gcash", behaviour: .declines, currency: .php, openingBalance: 100_000_000,
            inquiriesBeforeResult: 0, summary: "declines in the app (USER_PAYMENT_VERIFICATION_FAILED)"),
        SandboxCustomer(
            id: "gcash-slow", wallet: "gcash", behaviour: .staysInProcess, currency: .php, openingBalance: 100_000_000,
            inquiriesBeforeResult: 3, summary: "in process (U/PAYMENT_IN_PROCESS) for 2 inquiries; the 3rd pays"),
        SandboxCustomer(
            id: "gcash-confirm", wallet: "gcash", behaviour: .confirmsInApp, currency: .php, openingBalance: 100_000_000,
            inquiriesBeforeResult: 1, summary: "must confirm in the app (pending with a deeplink next action), pays after 1 inquiry"),
        SandboxCustomer(
            id: "gcash-usd", wallet: "gcash", behaviour: .pays, currency: .usd, openingBalance: 5_000_000,
            inquiriesBeforeResult: 0, summary: "pays from a USD wallet (balance 50,000.00): every payment is quoted"),
        SandboxCustomer(
            id: "gcash-binds", wallet: "gcash", behaviour: .pays, currency: .php, openingBalance: 100_000_000,
            inquiriesBeforeResult: 0, summary: "approves binding (consent page), then pays with the access token (lives 1 h; refresh token 30 days)"),
        SandboxCustomer(
            id: "gcash-refuses-consent", wallet: "gcash", behaviour: .pays, currency: .php, openingBalance: 100_000_000,
            inquiriesBeforeResult: 0, refusesConsent: true, summary: "refuses consent: the consent page redirects with error=ACCESS_DENIED"),
        SandboxCustomer(
            id: "gcash-quick-expiry", wallet: "gcash", behaviour: .pays, currency: .php, openingBalance: 100_000_000,
            inquiriesBeforeResult: 0, accessTokenLifetime: 60,
            summary: "approves binding; its access token lives 60 s on the sandbox clock (ACCESS_TOKEN_EXPIRED after, refresh works)"),
        SandboxCustomer(
            id: "tng-pays", wallet: "tng", behaviour: .pays, currency: .myr, openingBalance: 100_000_000,
            inquiriesBeforeResult: 0, summary: "pays (MYR wallet, balance 1,000,000.00; MYR 1,500.00 a payment at most, USER_AMOUNT_EXCEED_LIMIT)"),
        SandboxCustomer(
            id: "tng-low-balance", wallet: "tng", behaviour: .insufficientFunds, currency: .myr, openingBalance: 500,
            inquiriesBeforeResult: 0, summary: "insufficient funds above MYR 5.00 (USER_BALANCE_NOT_ENOUGH)"),
        SandboxCustomer(
            id: "tng-declines", wallet: "tng", behaviour: .declines, currency: .myr, openingBalance: 100_000_000,
            inquiriesBeforeResult: 0, summary: "declines in the app (USER_PAYMENT_VERIFICATION_FAILED)"),
        SandboxCustomer(
            id: "tng-slow", wallet: "tng", behaviour: .staysInProcess, currency: .myr, openingBalance: 100_000_000,
            inquiriesBeforeResult: 3, summary: "in process (U/PAYMENT_IN_PROCESS) for 2 inquiries; the 3rd pays"),
        SandboxCustomer(
            id: "tng-unverified", wallet: "tng", behaviour: .pays, currency: .myr, openingBalance: 100_000_000,
            inquiriesBeforeResult: 0, kycVerified: false,
            summary: "no e-KYC: pays up to MYR 200.00 a payment, above that EKYC_TIER_LIMIT_EXCEEDED (a sandbox choice)"),
        SandboxCustomer(
            id: "tng-binds", wallet: "tng", behaviour: .pays, currency: .myr, openingBalance: 100_000_000,
            inquiriesBeforeResult: 0, summary: "approves binding (consent page), then pays with the access token (lives 1 h; refresh token 30 days)"),
        SandboxCustomer(
            id: "dana-pays", wallet: "dana", behaviour: .pays, currency: .idr, openingBalance: 10_000_000_000,
            inquiriesBeforeResult: 0, summary: "pays (IDR wallet, balance 100,000,000.00)"),
        SandboxCustomer(
            id: "dana-low-balance", wallet: "dana", behaviour: .insufficientFunds, currency: .idr, openingBalance: 500_000,
            inquiriesBeforeResult: 0, summary: "insufficient funds above IDR 5,000.00 (4035414)"),
        SandboxCustomer(
            id: "dana-declines", wallet: "dana", behaviour: .declines, currency: .idr, openingBalance: 10_000_000_000,
            inquiriesBeforeResult: 0, summary: "declined by the wallet (4035405 Do Not Honor)"),
        SandboxCustomer(
            id: "dana-slow", wallet: "dana", behaviour: .staysInProcess, currency: .idr, openingBalance: 10_000_000_000,
            inquiriesBeforeResult: 3, summary: "in progress (2025400, then status 02 PAYING) for 2 queries; the 3rd pays"),
        SandboxCustomer(
            id: "dana-binds", wallet: "dana", behaviour: .pays, currency: .idr, openingBalance: 10_000_000_000,
            inquiriesBeforeResult: 0, summary: "grants account binding (customer token valid 1 hour, refresh token 30 days), then pays"),
        SandboxCustomer(
            id: "dana-refuses-consent", wallet: "dana", behaviour: .pays, currency: .idr, openingBalance: 10_000_000_000,
            inquiriesBeforeResult: 0, summary: "declines account binding (redirect with error=ACCESS_DENIED)"),
        SandboxCustomer(
            id: "dana-quick-expiry", wallet: "dana", behaviour: .pays, currency: .idr, openingBalance: 10_000_000_000,
            inquiriesBeforeResult: 0, summary: "grants account binding with a customer token valid 60 seconds, then pays"),
        SandboxCustomer(
            id: "paytm-pays", wallet: "paytm", behaviour: .pays, currency: .inr, openingBalance: 1_000_000_000,
            inquiriesBeforeResult: 0, summary: "completes checkout at once and pays (INR wallet, balance 10,000,000.00)"),
        SandboxCustomer(
            id: "paytm-low-balance", wallet: "paytm", behaviour: .insufficientFunds, currency: .inr, openingBalance: 500,
            inquiriesBeforeResult: 0, summary: "insufficient funds above INR 5.00 (TXN_FAILURE 235)"),
        SandboxCustomer(
            id: "paytm-declines", wallet: "paytm", behaviour: .declines, currency: .inr, openingBalance: 1_000_000_000,
            inquiriesBeforeResult: 0, summary: "declines at checkout (TXN_FAILURE 227)"),
        SandboxCustomer(
            id: "paytm-slow", wallet: "paytm", behaviour: .staysInProcess, currency: .inr, openingBalance: 1_000_000_000,
            inquiriesBeforeResult: 3, summary: "PENDING (402) for 2 status queries; the 3rd pays"),
        SandboxCustomer(
            id: "paytm-binds", wallet: "paytm", behaviour: .pays, currency: .inr, openingBalance: 1_000_000_000,
            inquiriesBeforeResult: 0,
            summary: "links by OTP 123456 (phone 7777700001; SSO token valid 1 hour, refresh token 30 days), then pays by withdraw"),
        SandboxCustomer(
            id: "paytm-refuses-consent", wallet: "paytm", behaviour: .pays, currency: .inr, openingBalance: 1_000_000_000,
            inquiriesBeforeResult: 0, summary: "declines linking on the OTP page (error=ACCESS_DENIED; phone 7777700002)"),
        SandboxCustomer(
            id: "paytm-quick-expiry", wallet: "paytm", behaviour: .pays, currency: .inr, openingBalance: 1_000_000_000,
            inquiriesBeforeResult: 0, summary: "links by OTP 123456 with an SSO token valid 60 seconds (phone 7777700003), then pays"),
    ]

    /// The customer with `id`, if any.
    public static func find(_ id: String) -> SandboxCustomer? { all.first { $0.id == id } }
}
