/// How a ``CurlTransport`` connects: deadlines, TLS material, proxy and pool size.
///
/// Connect and whole-request timeouts are separate and visible, so that an outage surfaces
/// as a prompt, typed timeout instead of a minutes-long stall.
public struct CurlTransportConfiguration: Sendable, CustomStringConvertible {
    /// A client certificate for mutual TLS.
    public struct ClientCertificate: Sendable {
        /// PEM file holding the certificate (and possibly the key).
        public var certificatePath: String
        /// PEM file holding the private key, when not in `certificatePath`.
        public var privateKeyPath: String?
        /// Passphrase of an encrypted key; never printed.
        public var keyPassword: String?

        /// Creates a client certificate reference.
        public init(certificatePath: String, privateKeyPath: String? = nil, keyPassword: String? = nil) {
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
            self.keyPassword = keyPassword
        }
    }

    /// Deadline for establishing a connection (TCP and TLS).
    public var connectTimeout: Duration
    /// Deadline for the whole request, from start to the last response byte.
    public var requestTimeout: Duration
    /// Verify the server's certificate and host name. On by default; turning it off is for
    /// local test servers only.
    public var verifyTLS: Bool
    /// A PEM bundle of trusted CAs instead of the system's.
    public var caBundlePath: String?
    /// A client certificate, for partners that require mutual TLS.
    public var clientCertificate: ClientCertificate?
    /// A proxy URL (`http://host:port`, `socks5://...`), or nil for a direct connection
    /// (`http_proxy` and similar environment variables are ignored).
    public var proxy: String?
    /// Idle connections kept for reuse across requests.
    public var maxIdleConnections: Int
    /// Largest accepted response body; larger responses fail with `TransportError.Kind.other`.
    public var maxResponseBytes: Int

    /// Creates a configuration; the defaults suit a payments API.
    public init(
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30),
        verifyTLS: Bool = true,
        caBundlePath: String? = nil,
        clientCertificate: ClientCertificate? = nil,
        proxy: String? = nil,
        maxIdleConnections: Int = 16,
        maxResponseBytes: Int = 8 << 20
    ) {
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.verifyTLS = verifyTLS
        self.caBundlePath = caBundlePath
        self.clientCertificate = clientCertificate
        self.proxy = proxy
        self.maxIdleConnections = maxIdleConnections
        self.maxResponseBytes = maxResponseBytes
    }

    /// Settings without secrets (the key password is never shown).
    public var description: String {
        var parts = ["connectTimeout: \(connectTimeout)", "requestTimeout: \(requestTimeout)", "verifyTLS: \(verifyTLS)"]
        if let caBundlePath { parts.append("caBundle: \(caBundlePath)") }
        if let clientCertificate { parts.append("clientCertificate: \(clientCertificate.certificatePath)") }
        if proxy != nil { parts.append("proxy: set") }
        return "CurlTransportConfiguration(\(parts.joined(separator: ", ")))"
    }
}

extension Duration {
    /// Whole milliseconds, at least 1 so that curl never reads 0 as "no timeout".
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        let millis = seconds.multipliedReportingOverflow(by: 1000)
        guard !millis.overflow else { return Int.max }
        return max(1, Int(millis.partialValue + attoseconds / 1_000_000_000_000_000))
    }
}
