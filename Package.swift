// swift-tools-version:6.0
import PackageDescription

/// WalletBridge: one Swift interface to local e-wallets (Paytm-style, Alipay+ GCash-style,
/// SNAP DANA-style). Layers, bottom up:
/// - `COpenSSL`: system library (pkg-config `openssl`) plus static-inline shims for macros.
/// - `WalletBridgeCrypto`: digests, HMAC, RSA, AES-CBC, random, keys: OpenSSL 3 EVP only.
/// - `WalletBridgeCore`: the common model (money, currencies, raw JSON handling).
/// - `WalletBridgePaytm`, `WalletBridgeAlipayPlus`, `WalletBridgeSNAP`: one module per partner,
///   holding that partner's wire format, signature scheme and quirks.
/// - `WalletBridgeSignatureTool`: signs and verifies cases in the vector-file shape (the engine
///   of `walletbridge sign` / `verify`).
/// - `walletbridge` (in `Examples/`): the CLI partner engineers use.
let package = Package(
    name: "WalletBridge",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "WalletBridgeCrypto", targets: ["WalletBridgeCrypto"]),
        .library(name: "WalletBridgeCore", targets: ["WalletBridgeCore"]),
        .library(name: "WalletBridgePaytm", targets: ["WalletBridgePaytm"]),
        .library(name: "WalletBridgeAlipayPlus", targets: ["WalletBridgeAlipayPlus"]),
        .library(name: "WalletBridgeSNAP", targets: ["WalletBridgeSNAP"]),
        .executable(name: "walletbridge", targets: ["walletbridge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .target(name: "WalletBridgeCrypto", dependencies: ["COpenSSL"]),
        .target(name: "WalletBridgeCore"),
        .target(name: "WalletBridgePaytm", dependencies: ["WalletBridgeCrypto", "WalletBridgeCore"]),
        .target(name: "WalletBridgeAlipayPlus", dependencies: ["WalletBridgeCrypto", "WalletBridgeCore"]),
        .target(name: "WalletBridgeSNAP", dependencies: ["WalletBridgeCrypto", "WalletBridgeCore"]),
        .target(
            name: "WalletBridgeSignatureTool",
            dependencies: ["WalletBridgeCrypto", "WalletBridgeCore", "WalletBridgePaytm", "WalletBridgeAlipayPlus", "WalletBridgeSNAP"]
        ),
        .executableTarget(
            name: "walletbridge",
            dependencies: [
                "WalletBridgeCrypto", "WalletBridgeCore", "WalletBridgeSignatureTool",
                "WalletBridgePaytm", "WalletBridgeAlipayPlus", "WalletBridgeSNAP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/walletbridge"
        ),
        // Helpers shared by the test targets (not a product; nothing in Sources depends on it).
        .target(name: "WalletBridgeTestSupport", path: "Tests/WalletBridgeTestSupport"),
        .testTarget(name: "WalletBridgeCryptoTests", dependencies: ["WalletBridgeCrypto"]),
        .testTarget(name: "WalletBridgeCoreTests", dependencies: ["WalletBridgeCore", "WalletBridgeTestSupport"]),
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
