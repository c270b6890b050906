/// How a ``CurlTransport`` connects: deadlines, TLS material, proxy and connection pool.
///
/// Connect and whole-request timeouts are separate and visible, so that an outage surfaces
/// as a prompt, typed timeout instead of a minutes-long stall. The pool settings
/// (``maxConnectionsPerHost``, ``maxTotalConnections``, ``idleTimeout``) bound the
/// connections a transport keeps, whatever the number of requests in flight: see
/// "Connection pool" in ``CurlTransport``.
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

    /// The default of ``maxConnectionsPerHost``: 64.
    public static let defaultMaxConnectionsPerHost = 64
    /// The default of ``maxTotalConnections``: 256.
    public static let defaultMaxTotalConnections = 256
    /// The default of ``idleTimeout``: 30 seconds, below the idle timeouts of common servers
    /// and load balancers (60 s and more), so that the client usually retires a connection
    /// before the server does.
    public static let defaultIdleTimeout = Duration.seconds(30)

    /// Deadline for establishing a connection (TCP and TLS).
    public var connectTimeout: Duration
    /// Deadline for the whole request, from start to the last response byte. Time a request
    /// waits for a free connection (see ``maxConnectionsPerHost``) counts.
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
    /// Most connections open at once to one host (scheme, name and port); requests beyond
    /// them wait, in order, for one to come free (`CURLMOPT_MAX_HOST_CONNECTIONS`). Default 64.
    public var maxConnectionsPerHost: Int
    /// Most connections open at once over all hosts (`CURLMOPT_MAX_TOTAL_CONNECTIONS`): at the
    /// cap, an idle connection (to another host) is closed to make room, else the request
    /// waits. Every one of them is kept for reuse (`CURLMOPT_MAXCONNECTS`). Default 256.
    public var maxTotalConnections: Int
    /// A kept-alive connection idle for longer than this is closed instead of reused
    /// (`CURLOPT_MAXAGE_CONN`, whole seconds, at least 1). Default 30 seconds.
    public var idleTimeout: Duration
    /// Largest accepted response body; larger responses fail with `TransportError.Kind.other`.
    public var maxResponseBytes: Int

    /// Connections kept for reuse: now the same as ``maxTotalConnections`` (every connection
    /// the pool may open is kept).
    @available(*, deprecated, renamed: "maxTotalConnections")
    public var maxIdleConnections: Int {
        get { maxTotalConnections }
        set { maxTotalConnections = newValue }
    }

    /// Creates a configuration; the defaults suit a payments API.
    public init(
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30),
        verifyTLS: Bool = true,
        caBundlePath: String? = nil,
        clientCertificate: ClientCertificate? = nil,
        proxy: String? = nil,
        maxConnectionsPerHost: Int = CurlTransportConfiguration.defaultMaxConnectionsPerHost,
        maxTotalConnections: Int = CurlTransportConfiguration.defaultMaxTotalConnections,
        idleTimeout: Duration = CurlTransportConfiguration.defaultIdleTimeout,
        maxResponseBytes: Int = 8 << 20
    ) {
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.verifyTLS = verifyTLS
        self.caBundlePath = caBundlePath
        self.clientCertificate = clientCertificate
        self.proxy = proxy
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.maxTotalConnections = maxTotalConnections
        self.idleTimeout = idleTimeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// Creates a configuration whose pool holds at most `maxIdleConnections` connections (all
    /// kept for reuse), the default per-host cap and idle timeout.
    @available(
        *, deprecated,
        message:
            "use init(connectTimeout:requestTimeout:verifyTLS:caBundlePath:clientCertificate:proxy:maxConnectionsPerHost:maxTotalConnections:idleTimeout:maxResponseBytes:)"
    )
    @_disfavoredOverload
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
        self.init(
            connectTimeout: connectTimeout, requestTimeout: requestTimeout, verifyTLS: verifyTLS, caBundlePath: caBundlePath,
            clientCertificate: clientCertificate, proxy: proxy, maxTotalConnections: maxIdleConnections, maxResponseBytes: maxResponseBytes)
    }

    /// Settings without secrets (the key password is never shown).
    public var description: String {
        var parts = ["connectTimeout: \(connectTimeout)", "requestTimeout: \(requestTimeout)", "verifyTLS: \(verifyTLS)"]
        if let caBundlePath { parts.append("caBundle: \(caBundlePath)") }
        if let clientCertificate { parts.append("clientCertificate: \(clientCertificate.certificatePath)") }
        if proxy != nil { parts.append("proxy: set") }
        parts.append("maxConnectionsPerHost: \(maxConnectionsPerHost)")
        parts.append("maxTotalConnections: \(maxTotalConnections)")
        parts.append("idleTimeout: \(idleTimeout)")
        return "CurlTransportConfiguration(\(parts.joined(separator: ", ")))"
    }

    /// The pool limits as libcurl takes them: each at least 1.
    var poolLimits: (perHost: Int, total: Int, idleSeconds: Int) {
        let total = max(1, maxTotalConnections)
        let seconds = idleTimeout.components.seconds + (idleTimeout.components.attoseconds > 0 ? 1 : 0)
        return (max(1, min(maxConnectionsPerHost, total)), total, Int(clamping: max(1, seconds)))
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
