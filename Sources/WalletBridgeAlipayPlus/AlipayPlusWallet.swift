import WalletBridgeCore

/// What sets one wallet on the Alipay+ network apart from the others, which share its signing
/// and wire: its name, `paymentMethodType`, currencies, limits and its own result codes. Each
/// wallet's terms live in a file of their own under `Wallets/` (``tng``).
///
/// ``AlipayPlusConfiguration/init(profile:)`` finds a wallet's terms by the profile's
/// `paymentMethodType` setting, else by its wallet name; settings the profile gives win over
/// the terms' defaults. The adapter consults ``resultCodes`` before the shared Alipay+ mapping.
public struct AlipayPlusWallet: Sendable, Equatable {
    /// The name callers know the wallet by (`tng`).
    public var name: String
    /// `paymentMethod.paymentMethodType` (`TNG`).
    public var paymentMethodType: String
    /// The currency customers hold.
    public var walletCurrency: Currency
    /// Currencies merchants may charge in.
    public var merchantCurrencies: [Currency]
    /// The most one payment may be. The wallet enforces it, answering
    /// `F`/`USER_AMOUNT_EXCEED_LIMIT` (`WalletError.Category.limitExceeded`) above it; the
    /// adapter does not refuse such a payment itself, so the wallet's own answer and code are
    /// what the caller gets. Useful to a checkout that hides the wallet for larger baskets.
    public var perPaymentLimit: Money?
    /// The wallet's own result codes, each with its category: consulted before the shared
    /// Alipay+ mapping (so a code here may also refine a shared one).
    public var resultCodes: [String: WalletError.Category]

    /// Creates a wallet's terms.
    public init(
        name: String, paymentMethodType: String, walletCurrency: Currency, merchantCurrencies: [Currency], perPaymentLimit: Money? = nil,
        resultCodes: [String: WalletError.Category] = [:]
    ) {
        self.name = name
        self.paymentMethodType = paymentMethodType
        self.walletCurrency = walletCurrency
        self.merchantCurrencies = merchantCurrencies
        self.perPaymentLimit = perPaymentLimit
        self.resultCodes = resultCodes
    }

    /// The wallets whose terms WalletBridge ships (GCash's are the configuration's defaults).
    public static let known: [AlipayPlusWallet] = [.tng]

    /// The shipped terms for `paymentMethodType` (compared ignoring case), else for the wallet
    /// `name`; nil when neither is known.
    public static func known(paymentMethodType: String?, name: String?) -> AlipayPlusWallet? {
        if let type = paymentMethodType?.uppercased(), let found = known.first(where: { $0.paymentMethodType.uppercased() == type }) { return found }
        if paymentMethodType == nil, let name = name?.lowercased() { return known.first { $0.name == name } }
        return nil
    }
}
