import Foundation
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgeSandbox

/// The Paytm adapter against the sandbox's Paytm wallet, over a transport that counts requests.
func withPaytm<T: Sendable>(
    requestTimeout: Duration = .seconds(10),
    _ body: (WalletSandbox, PaytmAdapter, CountingTransport) async throws -> T
) async throws -> T {
    try await withSandboxAdapter(
        wallet: "paytm", adjust: { $0.requestTimeout = requestTimeout },
        build: { profile, transport in
            let counting = CountingTransport(base: transport)
            return (PaytmAdapter(configuration: try PaytmConfiguration(profile: profile), transport: counting), counting)
        }, { sandbox, built in try await body(sandbox, built.0, built.1) })
}

/// Passes requests on and counts them by URL path.
final class CountingTransport: HTTPTransport, @unchecked Sendable {
    let base: any HTTPTransport
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    init(base: any HTTPTransport) { self.base = base }

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let path = URLComponents(string: request.url)?.path ?? request.url
        lock.withLock { counts[path, default: 0] += 1 }
        return try await base.send(request)
    }

    func count(_ path: String) -> Int { lock.withLock { counts[path] ?? 0 } }

    /// Requests sent to any path.
    var total: Int { lock.withLock { counts.values.reduce(0, +) } }
}

func inr(_ text: String) throws -> Money { try Money(parsing: text, currency: .inr) }

/// A Paytm order reference no other test uses (letters, digits and dashes only).
func orderID(_ label: String) -> String { "WB-\(label)-\(UUID().uuidString.prefix(8))" }

extension PaymentStatus {
    var token: String? { if case .pending(.token(let token)?) = self { return token } else { return nil } }
}
