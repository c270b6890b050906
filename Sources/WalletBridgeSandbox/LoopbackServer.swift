import Hummingbird
import Logging
import ServiceLifecycle

/// A Hummingbird server on a loopback port, run in a service group so that stopping it is a
/// graceful shutdown (requests in flight finish, connections close) rather than a cancellation.
struct LoopbackServer: Sendable {
    /// The bound port.
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts `responder` on `host:port` (0 picks a free port) and returns once it listens.
    static func start<Responder: HTTPResponder>(
        responder: Responder,
        host: String,
        port: Int,
        logger: Logger
    ) async throws -> LoopbackServer where Responder.Context == BasicRequestContext {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger
        )
        var configuration = ServiceGroupConfiguration(services: [app], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(3)
        let group = ServiceGroup(configuration: configuration)
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else {
            task.cancel()
            do {
                try await task.value
            } catch {
                throw SandboxError("could not listen on \(host):\(port): \(error)")
            }
            throw SandboxError("could not listen on \(host):\(port)")
        }
        return LoopbackServer(port: bound, group: group, task: task)
    }

    /// Stops accepting connections, lets requests in flight finish, and returns when stopped.
    func shutdown() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
