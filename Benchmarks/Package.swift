// swift-tools-version:6.0
import PackageDescription

/// The peers `make bench` measures WalletBridge's transport against (AsyncHTTPClient and
/// URLSession), in a package of their own so that the SDK never depends on them. It names
/// WalletBridge by path so the two build from one checkout; no target links it (the peers are
/// measured bare, as `walletbridge bench transport` measures CurlTransport).
let package = Package(
    name: "WalletBridgeBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .executableTarget(
            name: "peers",
            dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Sources/peers"
        )
    ],
    swiftLanguageModes: [.v6]
)
