import Foundation

/// HTTPS for the sandbox: which certificate it presents, whether it asks for a client
/// certificate, and which TLS versions it speaks.
///
/// Set it as ``WalletSandbox/Configuration/tls`` and the sandbox serves HTTPS only on its
/// ``WalletSandbox/port``: an OpenSSL TLS front accepts the connections and relays each one to
/// the sandbox's HTTP server on a private loopback port. The client profiles the sandbox
/// writes then name ``caBundlePath`` (`ca_bundle`), so a client built from them trusts it.
///
/// ``testIdentity(writingTo:)`` writes the built-in TEST ONLY certificate (a test CA and a
/// server certificate for `localhost`, `127.0.0.1` and `::1`); never trust that CA anywhere
/// but in a client of the sandbox.
public struct SandboxTLS: Sendable, Equatable {
    /// A TLS protocol version.
    public enum ProtocolVersion: String, Sendable, CaseIterable, Comparable {
        /// TLS 1.1 (obsolete; for a server that a client must refuse).
        case tls1_1 = "1.1"
        /// TLS 1.2.
        case tls1_2 = "1.2"
        /// TLS 1.3.
        case tls1_3 = "1.3"

        /// Orders versions oldest first.
        public static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool {
            lhs.rawValue < rhs.rawValue
        }
    }

    /// PEM file holding the server certificate (then any intermediate certificates).
    public var certificatePath: String
    /// PEM file holding the server certificate's private key (unencrypted).
    public var privateKeyPath: String
    /// PEM file of the CAs whose client certificates are accepted. When set, every connection
    /// must present a client certificate that one of them signed (mutual TLS); nil asks for none.
    public var clientCAPath: String?
    /// The CA bundle a client should trust to reach this sandbox: written into the client
    /// profiles (``WalletSandbox/clientProfile(wallet:snapMode:)`` and the profile file) as
    /// their CA bundle. Nil leaves the profiles on the system's trusted CAs.
    public var caBundlePath: String?
    /// The oldest version the sandbox accepts (TLS 1.2 by default).
    public var minimumVersion: ProtocolVersion
    /// The newest version the sandbox accepts (TLS 1.3 by default).
    public var maximumVersion: ProtocolVersion

    /// Creates a TLS configuration from PEM files.
    public init(
        certificatePath: String,
        privateKeyPath: String,
        clientCAPath: String? = nil,
        caBundlePath: String? = nil,
        minimumVersion: ProtocolVersion = .tls1_2,
        maximumVersion: ProtocolVersion = .tls1_3
    ) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.clientCAPath = clientCAPath
        self.caBundlePath = caBundlePath
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
    }

    /// The file names ``testIdentity(writingTo:)`` writes.
    public enum TestIdentityFile {
        /// The TEST ONLY CA certificate (what a client trusts).
        public static let caCertificate = "test-only-ca.pem"
        /// The TEST ONLY server certificate.
        public static let serverCertificate = "test-only-server.pem"
        /// The TEST ONLY server certificate's private key.
        public static let serverPrivateKey = "test-only-server-key.pem"
    }

    /// Writes the built-in TEST ONLY identity (``SandboxTLSCredentials``: the test CA, the
    /// server certificate for `localhost`, `127.0.0.1` and `::1`, and its key) into
    /// `directory` (created if missing), and returns a configuration that presents it and
    /// names the test CA as the clients' CA bundle.
    /// - Throws: when the directory or the files cannot be written.
    public static func testIdentity(writingTo directory: String) throws -> SandboxTLS {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let root = URL(fileURLWithPath: directory).standardizedFileURL.path
        let ca = root + "/" + TestIdentityFile.caCertificate
        let certificate = root + "/" + TestIdentityFile.serverCertificate
        let key = root + "/" + TestIdentityFile.serverPrivateKey
        try SandboxTLSCredentials.caCertificatePEM.write(toFile: ca, atomically: true, encoding: .utf8)
        try SandboxTLSCredentials.serverCertificatePEM.write(toFile: certificate, atomically: true, encoding: .utf8)
        try SandboxTLSCredentials.serverPrivateKeyPEM.write(toFile: key, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        return SandboxTLS(certificatePath: certificate, privateKeyPath: key, caBundlePath: ca)
    }
}
