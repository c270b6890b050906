// TEST ONLY. The sandbox's built-in TLS identity: a test CA, a server certificate it signed for
// localhost, 127.0.0.1 and ::1, and that certificate's private key. They are the same files as
// Tests/Fixtures/tls/test-only-ca.pem, test-only-server.pem and test-only-server-key.pem (made
// by Tests/Fixtures/tls/make-fixtures.sh, which threw the CA's key away), published in the
// repository so that `walletbridge sandbox --tls` works with no set-up. Never trust this CA
// outside a client of the sandbox (no system trust store, no browser), and never use the key
// for anything else.

/// The sandbox's built-in TEST ONLY TLS identity (public in the repository); see
/// ``SandboxTLS/testIdentity(writingTo:)``.
public enum SandboxTLSCredentials {
    /// The TEST ONLY CA certificate that signed ``serverCertificatePEM`` (PEM, valid until
    /// 2047). A client of a TLS sandbox trusts it as its CA bundle.
    public static let caCertificatePEM = """
        # TEST ONLY: the sandbox's test CA certificate (the CA bundle a client passes to reach a TLS sandbox)
        # WalletBridge test fixture (Tests/Fixtures/tls/make-fixtures.sh); never trust or use it outside the tests and the sandbox.
        -----BEGIN CERTIFICATE-----
        MIIB3TCCAYSgAwIBAgIRAOnqxJtRZRGV9fO87Au/knwwCgYIKoZIzj0EAwIwTTEf
        MB0GA1UECgwWV2FsbGV0QnJpZGdlIFRFU1QgT05MWTEqMCgGA1UEAwwhV2FsbGV0
        QnJpZGdlIFRFU1QgT05MWSBzYW5kYm94IENBMB4XDTIwMDEwMTAwMDAwMFoXDTQ3
        MDEwMTAwMDAwMFowTTEfMB0GA1UECgwWV2FsbGV0QnJpZGdlIFRFU1QgT05MWTEq
        MCgGA1UEAwwhV2FsbGV0QnJpZGdlIFRFU1QgT05MWSBzYW5kYm94IENBMFkwEwYH
        KoZIzj0CAQYIKoZIzj0DAQcDQgAEBuhPckzoNPee48m/t57NvR0fwMr3BzI4AR2Y
        LevsxNkz+JhuHXzdnvE2rIxWJkyqMbxfCR6ky2LZ/XDRPpT/dKNFMEMwEgYDVR0T
        AQH/BAgwBgEB/wIBADAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFLwqezLc/Qtd
        u9LnBr1ckVzGGPR9MAoGCCqGSM49BAMCA0cAMEQCICbRkDiZqlX/8PSdGbFVpVu0
        KdlwA9fvWD+Sul6sFihKAiAKsoTDutASazzO8FFajLPnOuWCSEcm3W7IzbTorIr6
        ww==
        -----END CERTIFICATE-----

        """

    /// The TEST ONLY server certificate (PEM) for `localhost`, `127.0.0.1` and `::1`, valid
    /// until 2047.
    public static let serverCertificatePEM = """
        # TEST ONLY: the sandbox's server certificate (localhost, 127.0.0.1, ::1), signed by test-only-ca.pem
        # WalletBridge test fixture (Tests/Fixtures/tls/make-fixtures.sh); never trust or use it outside the tests and the sandbox.
        -----BEGIN CERTIFICATE-----
        MIICJjCCAcygAwIBAgIRAPQ4d0eDIbDA0Ivq+Tyt+PkwCgYIKoZIzj0EAwIwTTEf
        MB0GA1UECgwWV2FsbGV0QnJpZGdlIFRFU1QgT05MWTEqMCgGA1UEAwwhV2FsbGV0
        QnJpZGdlIFRFU1QgT05MWSBzYW5kYm94IENBMB4XDTIwMDEwMTAwMDAwMFoXDTQ3
        MDEwMTAwMDAwMFowNTEfMB0GA1UECgwWV2FsbGV0QnJpZGdlIFRFU1QgT05MWTES
        MBAGA1UEAwwJbG9jYWxob3N0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEbeqB
        NZwEAhA0SGCKKU9xY2pyd4tQGZvkSZMhqFI0B9glSh3PwrE4HXLUF6YHNrPmCVty
        /83FcoiXWuVZWy9NSqOBpDCBoTAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIH
        gDATBgNVHSUEDDAKBggrBgEFBQcDATAdBgNVHQ4EFgQUk39WIlHlyDGjp9MKRmPL
        V37CkbcwHwYDVR0jBBgwFoAUvCp7Mtz9C1270ucGvVyRXMYY9H0wLAYDVR0RBCUw
        I4IJbG9jYWxob3N0hwR/AAABhxAAAAAAAAAAAAAAAAAAAAABMAoGCCqGSM49BAMC
        A0gAMEUCIEOeEtd30703bEIX4iYrdIo9+217StqygIm2l2iKfhMIAiEA/njMcSIv
        tP7vT9l7TeSnNj6wp1tNoZZQs/+FFh5YhoM=
        -----END CERTIFICATE-----

        """

    /// The TEST ONLY private key (PEM, P-256) of ``serverCertificatePEM``.
    public static let serverPrivateKeyPEM = """
        # TEST ONLY: the private key of test-only-server.pem
        # WalletBridge test fixture (Tests/Fixtures/tls/make-fixtures.sh); never trust or use it outside the tests and the sandbox.
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgKwRJo2UQcpjYgQTo
        xWyFuGk4Qp0ToB1lGPz08LUgPYKhRANCAARt6oE1nAQCEDRIYIopT3FjanJ3i1AZ
        m+RJkyGoUjQH2CVKHc/CsTgdctQXpgc2s+YJW3L/zcVyiJda5VlbL01K
        -----END PRIVATE KEY-----

        """
}
