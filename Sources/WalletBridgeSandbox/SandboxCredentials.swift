// Test-only RSA-2048 key pairs, published in the repository (Tests/Fixtures/vectors/keys) and
// in the partners' vector files. They exist so that the sandbox and the example CLI work with
// no set-up. Never use them for anything but the sandbox.

/// The sandbox's built-in test credentials (test-only keys, public in the repository).
public enum SandboxCredentials {
    /// Client id of the sandbox's test merchant on the GCash-style (Alipay+) wallet.
    public static let gcashClientID = "SANDBOX_WALLETBRIDGE_GCASH"
    /// Client id of the sandbox's test merchant on the Touch 'n Go-style wallet (Alipay+, MYR).
    public static let tngClientID = "SANDBOX_WALLETBRIDGE_TNG"
    /// Merchant id (`mid`) of the sandbox's test merchant on the Paytm-style wallet.
    public static let paytmMerchantID = "WBSANDBOX00000000001"
    /// The test merchant's Paytm merchant key (the shared test-only key; 16 characters).
    public static let paytmMerchantKey = "SDOr4vU+L2wkTaKX"
    /// The Paytm-style accounts client id (Auto Debit: Basic authentication of Send OTP,
    /// Validate OTP, Refresh Token and Revoke Access).
    public static let paytmOAuthClientID = "wbsandbox-paytm-autodebit"
    /// That client's secret (test-only).
    public static let paytmOAuthClientSecret = "test-only-paytm-client-secret-0123"
    /// `X-PARTNER-ID` (and `X-CLIENT-KEY`) of the sandbox's test merchant on the DANA-style wallet.
    public static let danaPartnerID = "2026112400000000000001"
    /// `merchantId` of that merchant.
    public static let danaMerchantID = "216620000000000000001"
    /// The client secret that keys HMAC-SHA512 in SNAP token mode (the shared test-only one).
    public static let danaClientSecret = "test-only-client-secret-0123456789"
    /// Key version of both test key pairs.
    public static let keyVersion = "1"

    /// The test merchant's private key (signs requests).
    public static let merchantPrivateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCwpMYKzFm2hNTw
        T4BMsusPbrImFkc/GZwqjs3tjw7Z0Ggo7SQTMhs0jW++cgeSTT7xl8FmWBi+AP5X
        tXj58pXE6U4n82oI9LwcbOCs/HVS8eTHNnNLFiLMZDEpTKnM6sfByO/IZpA1zgKW
        JTBkYBiLPvYkOHmpr3NdAOegSz5bMz4EbPd/3fF0kFRSQwA26tnuhS8mlEfmUkvJ
        MZsirTabFvveXbgGFVIG0mmXCBBoyxZZxgSVDqc8xaHn4hP4vEDfY652ZR47OezX
        E6Mum89Upv/0cND3RxdE5TmkvlX/tZLnBAb1sktaBV3mxU4G/CfQS85URitcvZQF
        tVky9UQPAgMBAAECggEAMP/sLcek5TPwq56qDNyext+ijF0ms1LD1qxZZFoIORSO
        KDgsByUhldDcG/yerA9AdBzwGZc7ec1lwGfHILKRqBc9xmhH1CcrXUk4g9PeKb2P
        BFHO5pfD3GW4m2e4PG8uLUuzdCg7PamhXwv+4gEkHdA/0ClYWmEgg76CAh2NNRfI
        0LpE02k398yOAicL1xT9VNkomTxceowrRyIV8UoU/v5lHsXDmWAtq0K8HtX7g45W
        6gG/BwRLJ8fIVWoutQQ+ujJ95xArWRmNNidEzZSQHUDsWre2RMq0ZjnfebgRuR7W
        78pwWhIYbOJ/32NakfKEmqyYz+PL4gpX0GVDP/9n5QKBgQD5kEwswGSUZJbzSTRn
        xSqnOwSNHIomy+2sfh6qF66bIUDbQNLNX12HYQ/ryYGGauWWkkLptUFh9a/0QbEr
        nv2HZfELHx+pZdCUloXjaOYF9oaDHUrMA5RbakfHb/saGVfCFNaxR5CxFRVqKas+
        wRzhvFi20i4nrrYz+5HMpFMwTQKBgQC1MwinsFQXOTZc66rjshX6gMXfuA5QzKcF
        NomhAPfNQtPSzArYMCNlofHmQrZ5v3W5rcZ//ezhvxrNb6GCz5w95oIbAdmiIYg1
        KE4dNQdRREIUCOCf29KnkCWLOJs4rCbE5+2c0HMH2Ni026Yo980rvgUGcsHYEh54
        qlF18ClTywKBgEZWVBHc27wzKZRCEqIYoO/nI14+J/XNThxqo2vfJtgUJDpnZ8J4
        WVz5j0ouTfI7mJ+6c195NYdNfp0CEtQviFcr9SbkS8ErsADg97VjcElH9RtpGxaq
        /5pQNxDPz97IO8K4qtXmTLKMNa/pNJmIRgKdWgeU72tBw5qdEbeyrLuVAoGAFamb
        QEjxVLFvUV6PWJdiz0bz4RIlC/3bfeEORSRTe8OghVQFe+ENakoZHFkfbaC5F1Cy
        KX0XA8oQDz1oRrZBTJkxNr9a4Go32XsPE6jSTiHl8HU7PYFPRt8RzfoffIAARowf
        uR6mkeqXxc94pu8xJSibezDfAdDwuaZLBNmIZ08CgYEAgZzcZ63WY85ADyxf3G03
        soBH2K8WhSl9+CQgl7VvLhHSqaFUkXryLKLU/AhFZYviqJB3scAPVKqFo2kQSAUa
        6feqIFovygfrQpGCpqF0t8Gdto7evyqKEM0yq1Aq9T24rm3OToNWaOx9WlWMhqE3
        BYhqtDBEUVqwy4kWmuMOcAE=
        -----END PRIVATE KEY-----
        """

    /// The test merchant's public key (the sandbox verifies requests with it).
    public static let merchantPublicKeyPEM = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsKTGCsxZtoTU8E+ATLLr
        D26yJhZHPxmcKo7N7Y8O2dBoKO0kEzIbNI1vvnIHkk0+8ZfBZlgYvgD+V7V4+fKV
        xOlOJ/NqCPS8HGzgrPx1UvHkxzZzSxYizGQxKUypzOrHwcjvyGaQNc4CliUwZGAY
        iz72JDh5qa9zXQDnoEs+WzM+BGz3f93xdJBUUkMANurZ7oUvJpRH5lJLyTGbIq02
        mxb73l24BhVSBtJplwgQaMsWWcYElQ6nPMWh5+IT+LxA32OudmUeOzns1xOjLpvP
        VKb/9HDQ90cXROU5pL5V/7WS5wQG9bJLWgVd5sVOBvwn0EvOVEYrXL2UBbVZMvVE
        DwIDAQAB
        -----END PUBLIC KEY-----
        """

    /// The wallet platform's private key (the sandbox signs responses and notifications).
    public static let platformPrivateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCjJM2LKJzqEpIC
        C2jtP3+t0pi0IjhPMl+/vHBuRhv18IHXvRDak+f8TLSrJrv+NNsA+AZaarXGKLL0
        eJyvkiFXSxnrwh8k62ZKGQNnD1S0bm24QpD857I3ArHsxNw8xui04qF7TgmueDEv
        lw57x4X8eIRmfCMbXbv2NeLsEIlr1VDiiTSrwDRckZNDdu9bKW6sPYZ3sHAq+Q/T
        7SaCKzAkdQYbWejLvCVIwfjxYkKL4paHC7BQm1PfKvFFhDgDYWAJk53VnVcET72Z
        mGZtx7cFvykVp+ofDkpY4tyq329lzuu4ZljABUR+jaTX/TnILa5vDd2c+g4ypadR
        1mJiARS1AgMBAAECggEAB3re5OWuMoBt3iO6+9jqROrGKMj1q/izSyc1c6WwD00O
        DV/HYtfFNMKPktYdaHPwvQQ7xlZK+OFRn/cOHnHX9X8MATM1TYwKQWHdz6varMS8
        /LKQoAfZGlliFWj+CaTupnYXN7NF3l0qyo1lrJpi5xOsSy0F4j6Gwt/vN5BkIv17
        piNaPLL4HhXTNn3/W51KYxmV7GqjXldFrdwAUm8NaZGoA75uzJlY7e+ptQC1M8mF
        HFgkgeJ0+SDVxPGLE8B3XQfLikuqus5CKcMmJm7YuirsCeT38WAcngZ925g1uAg+
        YLqmZ8kzXSSmORiH74kG4CjjFVBRGt7e21bXQLI3QQKBgQDVNtV/gZVVTC+6SFDm
        UhrEX0q6KOUvFEIERpO/MyR0tEbBV1P77su9jYA+flqV0s0utZkQgqzZ8RAVrrpG
        v8BuHCNNGTu29Cmudt4CdSI+jjDsSJIjXuSxes+y07cjFvU/CTtVxPb9j3TQ/7tz
        vc2MalzAgn9W80KSrVK9S4fhgwKBgQDD4cSULAqQLxeU3VQoHT6uoSAalizf0APb
        Z5VDujkuklbBcWl9x8w4N+9JumPFsdTaGJDQS9a367Of75avp4S8KPGhQaD+HUl8
        mFMSLwT2eOFoAvrm7QFrOWnwIz/nr87EuqrQEFrBE8PArhr44WYhPFQkniSQIE8q
        8kYVCsLzZwKBgHh0dx+G9Pfwh9JFArdsUUT51PzhF8GGP1mtCdFuMj1gj8yw6nid
        Syt2oqortj+IjXTDEYt7V+30u7KUORa5RByw9tya0dqljFrNOtXGmScgK9GBmlYz
        SR5flLGh3IgNc1Y+f/APy74qasOchql35IVcnbQAxbI40jaNhv38ivLDAoGAIbPa
        qtPZDW3M1OQv8qb1ff5jE6/7EJct0rZDzF9iL00meCoXSHjz/khBd6IGQKGUSeIo
        KG6kBwka4s3KU3azM9ynlmNAW/iWCEX9JQfKBs5NmiPJH6pvsA801wh5mld5cAfe
        E+Z8dvP7nk9WfLPrapSCtbov+ExW0sDUphIv8MkCgYA0dYLdNzBb31w+Nboc5R5k
        xRSEZVPO0On3Nz6XK8YE8B/nijvpphNV8cLf+ydRF11Hd6+OtM1kiZjVbSoN5uW9
        qs59m215ON1bSMz/CGcvmPs+tzdbCaSfZLBO6gDo4rbP5IMxICqzKQSif+W0zVjI
        4V6u050QeuzN/PhNb9raoQ==
        -----END PRIVATE KEY-----
        """

    /// The wallet platform's public key (clients verify responses with it).
    public static let platformPublicKeyPEM = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAoyTNiyic6hKSAgto7T9/
        rdKYtCI4TzJfv7xwbkYb9fCB170Q2pPn/Ey0qya7/jTbAPgGWmq1xiiy9Hicr5Ih
        V0sZ68IfJOtmShkDZw9UtG5tuEKQ/OeyNwKx7MTcPMbotOKhe04JrngxL5cOe8eF
        /HiEZnwjG1279jXi7BCJa9VQ4ok0q8A0XJGTQ3bvWylurD2Gd7BwKvkP0+0mgisw
        JHUGG1noy7wlSMH48WJCi+KWhwuwUJtT3yrxRYQ4A2FgCZOd1Z1XBE+9mZhmbce3
        Bb8pFafqHw5KWOLcqt9vZc7ruGZYwAVEfo2k1/05yC2ubw3dnPoOMqWnUdZiYgEU
        tQIDAQAB
        -----END PUBLIC KEY-----
        """
}
