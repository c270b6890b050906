import CoreMetrics
import Foundation
import Hummingbird
import Logging
import Prometheus

/// The client's metrics during a simulation: a Prometheus registry handed to `WalletClient` as
/// its metrics factory (never bootstrapped globally), printed at the end, and served at
/// `/metrics` on a loopback port while the run lasts.
final class SimulationMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: any MetricsFactory
    /// The port `/metrics` is served on, if any.
    let port: Int?
    private let server: Task<Void, any Error>?

    private init(registry: PrometheusCollectorRegistry, port: Int?, server: Task<Void, any Error>?) {
        self.registry = registry
        factory = PrometheusMetricsFactory(registry: registry)
        self.port = port
        self.server = server
    }

    /// A registry, and a `/metrics` server on `port` when one is asked for (0 picks one).
    static func start(port: Int?) async throws -> SimulationMetrics {
        let registry = PrometheusCollectorRegistry()
        guard let port else { return SimulationMetrics(registry: registry, port: nil, server: nil) }
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        let (bound, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? port) },
            logger: Logger(label: "walletbridge.metrics", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var actual = port
        for await value in bound {
            actual = value
            break
        }
        return SimulationMetrics(registry: registry, port: actual, server: task)
    }

    /// The metrics in Prometheus text format.
    func text() -> String { registry.emitToString() }

    func shutdown() async {
        server?.cancel()
        _ = await server?.result
    }
}
