/// The production ``HTTPTransport``: libcurl's multi interface driven by one thread.
///
/// - Connections are kept alive and reused across requests (the multi handle's cache).
/// - Requests run concurrently without a thread each.
/// - Connect and whole-request deadlines are separate (``CurlTransportConfiguration``).
/// - TLS verification is on unless turned off explicitly.
/// - Cancelling the calling task abandons its request with ``TransportError/Kind/cancelled``.
///
/// Lifecycle: create one transport per process (or per partner), share it, and call
/// ``shutdown()`` when done, or use ``withCurlTransport(configuration:_:)``, which cannot leak
/// it. Shutdown lets requests in flight finish (each has a deadline) and refuses new ones
/// with a typed error; it is idempotent. A transport dropped without shutdown still stops its
/// thread once its last request finishes, so forgetting never crashes or hangs.
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    /// The settings every request uses unless it overrides its timeouts.
    public let configuration: CurlTransportConfiguration
    private let loop: CurlMultiLoop
    private let nextID = Locked<UInt64>(0)
    private let easyPool: CurlEasyPool

    /// Starts a transport (and its curl thread).
    /// - Throws: ``TransportError`` if libcurl cannot be initialised.
    public init(configuration: CurlTransportConfiguration = CurlTransportConfiguration()) throws(TransportError) {
        self.configuration = configuration
        loop = try CurlMultiLoop(maxIdleConnections: configuration.maxIdleConnections)
        easyPool = CurlEasyPool(capacity: max(4, configuration.maxIdleConnections))
    }

    deinit { loop.beginShutdown() }

    /// The linked libcurl and TLS library, for diagnostics.
    public static var libraryVersion: String { CurlGlobal.versionText }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        if Task.isCancelled {
            throw TransportError(.cancelled, "the task was cancelled before the request was sent", mayHaveReachedServer: false)
        }
        let id = nextID.withLock { id -> UInt64 in
            id += 1
            return id
        }
        let transfer = try CurlTransfer(id: id, request: request, configuration: configuration, pool: easyPool)
        let loop = self.loop
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>) in
                transfer.attach(continuation)
                if !loop.submit(transfer) {
                    transfer.finish(.failure(TransportError(.cancelled, "the transport has been shut down", mayHaveReachedServer: false)))
                }
            }
        } onCancel: {
            transfer.cancellationRequested.withLock { $0 = true }
            loop.cancel(id)
        }
        return try result.get()
    }

    /// Refuses new requests, waits for those in flight, and stops the curl thread. Idempotent.
    public func shutdown() async {
        loop.beginShutdown()
        await loop.waitUntilStopped()
    }

    /// Counters since the transport started.
    public var statistics: CurlTransportStatistics { loop.statistics.withLock { $0 } }

    /// Whether ``shutdown()`` has not been called yet.
    public var isRunning: Bool { loop.isAcceptingRequests }
}

/// Runs `body` with a new transport and shuts it down afterwards, whether `body` returns or
/// throws.
public func withCurlTransport<Result: Sendable>(
    configuration: CurlTransportConfiguration = CurlTransportConfiguration(),
    _ body: (CurlTransport) async throws -> Result
) async throws -> Result {
    let transport = try CurlTransport(configuration: configuration)
    do {
        let result = try await body(transport)
        await transport.shutdown()
        return result
    } catch {
        await transport.shutdown()
        throw error
    }
}

/// What a ``CurlTransport`` has done so far: shows whether connections are being reused.
public struct CurlTransportStatistics: Sendable, Equatable {
    /// Transfers that reached curl and finished (successfully or not).
    public var transfers = 0
    /// New connections opened; much smaller than ``transfers`` when keep-alive works.
    public var connectionsOpened = 0
}
