/// The version of WalletBridge this code is: the one string that `walletbridge --version`
/// prints and the README's status line and `CHANGELOG.md` name.
public enum WalletBridgeVersion {
    /// Semantic version text (`0.2.0-dev` until 0.2.0 is released).
    public static let string = "0.2.0-dev"
}
