/// Where dumped cases find their keys. Cases hold public keys as text, but secret keys
/// (a private key, a Paytm merchant key) only as a file reference, never as text.
public struct CaseKeys: Sendable {
    /// A public key: a file, or PEM text (public material).
    public enum PublicKey: Sendable, Equatable {
        /// A key file's absolute path.
        case file(String)
        /// PEM text.
        case pem(String)
    }

    /// Our private RSA key's file (Alipay+, SNAP): lets `walletbridge sign` re-sign a request.
    public var privateKeyFile: String?
    /// Our public key (derived from the private key): verifies the requests we signed.
    public var ownPublicKey: PublicKey?
    /// The Paytm merchant key's file (the checksum key is symmetric: no public half).
    public var merchantKeyFile: String?
    /// The wallet's public keys by key version (SNAP: its one key, under any name).
    public var partnerPublicKeys: [String: PublicKey]
    /// Why a key a case needs is not referenced (written into the case's `note`).
    public var notes: [String]

    /// Creates a key set.
    public init(
        privateKeyFile: String? = nil, ownPublicKey: PublicKey? = nil, merchantKeyFile: String? = nil,
        partnerPublicKeys: [String: PublicKey] = [:], notes: [String] = []
    ) {
        self.privateKeyFile = privateKeyFile
        self.ownPublicKey = ownPublicKey
        self.merchantKeyFile = merchantKeyFile
        self.partnerPublicKeys = partnerPublicKeys
        self.notes = notes
    }
}
