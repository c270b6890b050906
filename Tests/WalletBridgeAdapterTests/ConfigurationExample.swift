// The transport example of the WalletBridgeCore documentation (ConfigurationAndProfiles.md),
// compiled here and checked by ArticleExampleTests, which also checks that the article's code
// block is the text between the markers.
// ARTICLE-BEGIN
import WalletBridgeCore
import WalletBridgeTransport

/// The transport a profile asks for: its deadlines, CA bundle, client certificate and proxy.
/// Adapters never read these settings themselves; the transport is yours to build and share.
func transportConfiguration(for profile: PartnerProfile) -> CurlTransportConfiguration {
    CurlTransportConfiguration(
        connectTimeout: profile.connectTimeout,
        requestTimeout: profile.requestTimeout,
        caBundlePath: profile.caBundlePath,  // nil: the system's trusted CAs
        clientCertificate: profile.clientCertificatePath.map {
            CurlTransportConfiguration.ClientCertificate(certificatePath: $0, privateKeyPath: profile.clientKeyPath)
        },
        proxy: profile.proxy  // nil: a direct connection (http_proxy and the like are ignored)
    )
}
// ARTICLE-END
