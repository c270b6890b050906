// swift-tools-version:6.0
import PackageDescription

/// WalletBridge: one Swift interface to local e-wallets (Paytm-style, Alipay+ GCash-style,
/// SNAP DANA-style). Layers, bottom up:
/// - `COpenSSL`: system library (pkg-config `openssl`) plus static-inline shims for macros.
/// - `WalletBridgeCrypto`: digests, HMAC, RSA, AES-CBC, AES-256-GCM, random, keys: OpenSSL 3 EVP only.
/// - `WalletBridgeHTTP`: C-free. The `HTTPTransport` protocol, `TransportRequest` /
///   `TransportResponse` (built on swift-http-types' `HTTPRequest`, `HTTPResponse` and
///   `HTTPFields`), `TransportError` and `RequestContext`; knows nothing of partners.
/// - `CCurl`: system library (pkg-config `libcurl`) plus typed wrappers for curl's variadic calls.
/// - `WalletBridgeTransport`: `CurlTransport` (libcurl multi interface on one thread), the
///   production `HTTPTransport`.
/// - `WalletBridgeCore`: the common model (money, currencies, payments, `WalletError`, the
///   `WalletAdapter` protocol, the `WalletClient` façade, partner profiles and `KeySource`).
///   Depends on `WalletBridgeHTTP` only (plus swift-log, swift-metrics, service-lifecycle): it
///   links neither libcurl nor OpenSSL, so neither does a third party's adapter built on it.
/// - `WalletBridgePaytm`, `WalletBridgeAlipayPlus`, `WalletBridgeSNAP`: one module per partner,
///   holding that partner's wire format, signature scheme and quirks (over `WalletBridgeHTTP`
///   and `WalletBridgeCrypto`; they never name libcurl).
/// - `WalletBridgeSQLite`: the durable `PaymentJournal` (GRDB over Debian's SQLite, WAL) and,
///   in the same file, the `CustomerAuthorizationStore` (tokens sealed with AES-256-GCM from
///   `WalletBridgeCrypto`).
/// - `WalletBridgeTesting`: `MockTransport` and `FaultInjectingTransport` (C-free).
/// - `WalletBridgeSandbox`: a Hummingbird server that behaves like the wallets (no library
///   module depends on it); HTTPS on request through a TLS front of its own over OpenSSL.
/// - `WalletBridgeSignatureTool`: signs and verifies cases in the vector-file shape (the engine
///   of `walletbridge sign` / `verify`).
/// - `walletbridge` (in `Examples/`): the CLI partner engineers use.
let package = Package(
    name: "WalletBridge",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "WalletBridgeCrypto", targets: ["WalletBridgeCrypto"]),
        .library(name: "WalletBridgeHTTP", targets: ["WalletBridgeHTTP"]),
        .library(name: "WalletBridgeTransport", targets: ["WalletBridgeTransport"]),
        .library(name: "WalletBridgeCore", targets: ["WalletBridgeCore"]),
        .library(name: "WalletBridgeSQLite", targets: ["WalletBridgeSQLite"]),
        .library(name: "WalletBridgePostgres", targets: ["WalletBridgePostgres"]),
        .library(name: "WalletBridgeTesting", targets: ["WalletBridgeTesting"]),
        .library(name: "WalletBridgeSandbox", targets: ["WalletBridgeSandbox"]),
        .library(name: "WalletBridgeContract", targets: ["WalletBridgeContract"]),
        .library(name: "WalletBridgePaytm", targets: ["WalletBridgePaytm"]),
        .library(name: "WalletBridgeAlipayPlus", targets: ["WalletBridgeAlipayPlus"]),
        .library(name: "WalletBridgeSNAP", targets: ["WalletBridgeSNAP"]),
        .executable(name: "walletbridge", targets: ["walletbridge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Documentation only (`make docs`): the `generate-documentation` command plugin; no target depends on it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),
        .target(name: "WalletBridgeCrypto", dependencies: ["COpenSSL"]),
        .target(name: "WalletBridgeHTTP", dependencies: [.product(name: "HTTPTypes", package: "swift-http-types")]),
        .target(
            name: "WalletBridgeTransport",
            dependencies: ["CCurl", "WalletBridgeHTTP", .product(name: "HTTPTypes", package: "swift-http-types")]
        ),
        .target(
            name: "WalletBridgeCore",
            dependencies: [
                "WalletBridgeHTTP", .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "WalletBridgeSQLite",
            dependencies: ["WalletBridgeCore", "WalletBridgeCrypto", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "WalletBridgePostgres",
            dependencies: [
                "WalletBridgeCore", "WalletBridgeCrypto", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "WalletBridgeTesting",
            dependencies: ["WalletBridgeHTTP", .product(name: "HTTPTypes", package: "swift-http-types")]
        ),
        .target(
            name: "WalletBridgePaytm",
            dependencies: ["WalletBridgeCrypto", "WalletBridgeCore", "WalletBridgeHTTP", .product(name: "HTTPTypes", package: "swift-http-types")]
        ),
        .target(
            name: "WalletBridgeAlipayPlus",
            dependencies: ["WalletBridgeCrypto", "WalletBridgeCore", "WalletBridgeHTTP", .product(name: "HTTPTypes", package: "swift-http-types")]
        ),
        .target(
            name: "WalletBridgeSNAP",
            dependencies: [
                "WalletBridgeCrypto", "WalletBridgeCore", "WalletBridgeHTTP", .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "WalletBridgeSandbox",
            dependencies: [
                "WalletBridgeCrypto", "WalletBridgeCore", "WalletBridgeHTTP", "WalletBridgeTransport", "WalletBridgeAlipayPlus", "WalletBridgePaytm",
                "WalletBridgeSNAP", "WalletBridgeTesting", "COpenSSL",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "WalletBridgeContract",
            dependencies: [
                "WalletBridgeCore", "WalletBridgeHTTP", "WalletBridgeTransport", "WalletBridgeTesting", "WalletBridgeSandbox",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "WalletBridgeSignatureTool",
            dependencies: ["WalletBridgeCrypto", "WalletBridgeCore", "WalletBridgePaytm", "WalletBridgeAlipayPlus", "WalletBridgeSNAP"]
        ),
        .executableTarget(
            name: "walletbridge",
            dependencies: [
                "WalletBridgeCrypto", "WalletBridgeCore", "WalletBridgeSignatureTool",
                "WalletBridgePaytm", "WalletBridgeAlipayPlus", "WalletBridgeSNAP", "WalletBridgeHTTP", "WalletBridgeTransport",
                "WalletBridgeSandbox", "WalletBridgeSQLite", "WalletBridgePostgres", "WalletBridgeTesting", "WalletBridgeContract", "CCurl",
                "COpenSSL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Examples/walletbridge"
        ),
        // An example merchant backend (payments, webhooks, reconciler, /metrics); `make scaleout` runs three of it.
        .executableTarget(
            name: "merchant-server",
            dependencies: [
                "WalletBridgeCore", "WalletBridgeHTTP", "WalletBridgeTransport", "WalletBridgeAlipayPlus", "WalletBridgeSNAP", "WalletBridgePaytm",
                "WalletBridgeSQLite", "WalletBridgePostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Examples/merchant-server"
        ),
        // Helpers shared by the test targets (not a product; nothing in Sources depends on it).
        .target(name: "WalletBridgeTestSupport", path: "Tests/WalletBridgeTestSupport"),
        .testTarget(name: "WalletBridgeCryptoTests", dependencies: ["WalletBridgeCrypto"]),
        .testTarget(
            name: "WalletBridgeSQLiteTests",
            dependencies: ["WalletBridgeSQLite", "WalletBridgeCore", "WalletBridgeCrypto", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "WalletBridgePostgresTests",
            dependencies: [
                "WalletBridgePostgres", "WalletBridgeSQLite", "WalletBridgeCore", "WalletBridgeCrypto",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "WalletBridgeHTTPTests",
            dependencies: ["WalletBridgeHTTP", .product(name: "HTTPTypes", package: "swift-http-types")]
        ),
        .testTarget(
            name: "WalletBridgeTransportTests",
            dependencies: [
                "WalletBridgeHTTP", "WalletBridgeTransport", "WalletBridgeTesting", "WalletBridgeSandbox", "WalletBridgeCore",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "WalletBridgeAdapterTests",
            dependencies: [
                "WalletBridgeCrypto", "WalletBridgeCore", "WalletBridgeHTTP", "WalletBridgeTransport", "WalletBridgeTesting",
                "WalletBridgeAlipayPlus", "WalletBridgePaytm", "WalletBridgeSNAP", "WalletBridgeSandbox", "WalletBridgeTestSupport",
                "WalletBridgeSQLite", "WalletBridgeContract",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // The documentation's notification handler (NotificationHandlerExample.swift).
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "WalletBridgeCoreTests",
            dependencies: ["WalletBridgeCore", "WalletBridgeTestSupport", "WalletBridgeHTTP", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "WalletBridgeSchemeTests",
            dependencies: [
                "WalletBridgeCrypto", "WalletBridgeCore", "WalletBridgePaytm", "WalletBridgeAlipayPlus", "WalletBridgeSNAP",
                "WalletBridgeSignatureTool", "WalletBridgeTestSupport",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
