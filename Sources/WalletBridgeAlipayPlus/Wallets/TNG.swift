import WalletBridgeCore

extension AlipayPlusWallet {
    /// The Touch 'n Go-style wallet (Malaysia) on Alipay+: `paymentMethodType` `TNG`, MYR only.
    ///
    /// Its limit and its own result code are WalletBridge's sandbox emulation choices, not taken
    /// from Touch 'n Go documentation (we have none); replace them with the wallet's published
    /// terms when onboarding with it:
    /// - MYR 1,500.00 per payment, above which the wallet answers the standard
    ///   `F`/`USER_AMOUNT_EXCEED_LIMIT` (`WalletError.Category.limitExceeded`, shared mapping);
    /// - `EKYC_TIER_LIMIT_EXCEEDED`: the customer has not completed e-KYC, and the payment is
    ///   above what their account tier allows (`WalletError.Category.limitExceeded`: an
    ///   account limit; the customer can lift it by verifying, the merchant by charging less).
    public static let tng = AlipayPlusWallet(
        name: "tng",
        paymentMethodType: "TNG",
        walletCurrency: .myr,
        merchantCurrencies: [.myr],
        perPaymentLimit: Money(minorUnits: 150_000, currency: .myr),
        resultCodes: [
            "EKYC_TIER_LIMIT_EXCEEDED": .limitExceeded
        ]
    )
}
