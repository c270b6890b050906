import Foundation
import Logging
import Testing
import WalletBridgeCore
import WalletBridgeSandbox

@Suite("README")
struct ReadmeExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func exampleMatchesTheReadme() throws {
        let source = try String(contentsOf: Self.root.appendingPathComponent("Tests/WalletBridgeAdapterTests/ReadmeExample.swift"), encoding: .utf8)
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let begin = try #require(source.range(of: "// README-BEGIN\n"))
        let end = try #require(source.range(of: "// README-END"))
        let example = String(source[begin.upperBound..<end.lowerBound])
        #expect(readme.contains("```swift\n" + example + "```"), "README.md's library example differs from ReadmeExample.swift")
    }

    @Test func exampleTakesAPaymentFromTheSandbox() async throws {
        let sandbox = try await WalletSandbox.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wb-readme-\(UUID().uuidString)").path
        let profilePath = try WalletSandbox.writeClientConfig(to: directory, baseURL: sandbox.baseURL)
        let quiet = Logger(label: "readme", factory: { _ in SwiftLogNoOpLogHandler() })
        let paid = try await payForOrder(profilePath: profilePath, customerToken: "gcash-pays", logger: quiet)
        #expect(paid.hasPrefix("paid, wallet reference GC"))
        let replay = try await payForOrder(profilePath: profilePath, customerToken: "gcash-pays", logger: quiet)
        #expect(replay == paid, "same reference, same body: the replay returns the original result")
        let other = await #expect(throws: WalletError.self) {
            _ = try await payForOrder(profilePath: profilePath, customerToken: "gcash-declines", logger: quiet)
        }
        #expect(other?.category == .inconsistentRequest, "same reference, other content: rejected")
        try? FileManager.default.removeItem(atPath: directory)
        await sandbox.shutdown()
    }
}
