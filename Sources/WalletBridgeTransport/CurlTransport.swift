import WalletBridgeHTTP

/// The production `HTTPTransport`: libcurl's multi interface driven by one thread.
///
/// - Connections are kept alive and reused across requests, in a bounded pool (see below).
/// - Requests run concurrently without a thread each.
/// - Connect and whole-request deadlines are separate (``CurlTransportConfiguration``).
/// - TLS verification is on unless turned off explicitly.
/// - Cancelling the calling task abandons its request with `TransportError.Kind.cancelled`.
/// - A request that fails on a reused connection before any response byte is resent once,
///   on a new connection (see below).
///
/// Lifecycle: create one transport per process (or per partner), share it, and call
/// ``shutdown()`` when done, or use ``withCurlTransport(configuration:_:)``, which cannot leak
/// it. Shutdown lets requests in flight finish (each has a deadline) and refuses new ones
/// with a typed error; it is idempotent. A transport dropped without shutdown still stops its
/// thread once its last request finishes, so forgetting never crashes or hangs.
///
/// ## Connection pool
///
/// All requests of one transport share one pool of kept-alive connections, sized by demand
/// and bounded whatever the number of requests in flight:
///
/// - A request takes an idle connection to its host when there is one, else opens a new one,
///   up to ``CurlTransportConfiguration/maxConnectionsPerHost`` (default 64) per host and
///   ``CurlTransportConfiguration/maxTotalConnections`` (default 256) in all. Beyond them it
///   waits, in order, for a connection to come free, instead of opening one: a thousand
///   requests in flight to one host use at most 64 connections, and once warm nearly every
///   request reuses one.
/// - Every connection the caps allow is kept for reuse after its request (libcurl's
///   connection cache is as large as ``CurlTransportConfiguration/maxTotalConnections``).
/// - A connection idle for longer than ``CurlTransportConfiguration/idleTimeout`` (default
///   30 s) is closed rather than reused, before a server or load balancer is likely to have
///   dropped it.
///
/// ``statistics`` shows the pool at work: ``CurlTransportStatistics/connectionsOpened``
/// against ``CurlTransportStatistics/connectionsReused``. Beyond
/// ``CurlTransportConfiguration/maxConnectionsPerHost`` requests in flight to one host, a
/// request waits in the transport, in order, before it takes an easy handle (a waiting request
/// costs a continuation, not curl's 20 KB of handle and buffer); a host that does not answer
/// never holds up requests to another. At the total cap it waits in libcurl
/// (`CURLMOPT_MAX_TOTAL_CONNECTIONS`). The whole-request deadline keeps running while a
/// request waits, in either place.
///
/// ## Stale keep-alive connections
///
/// A server (or a load balancer in front of it) closes a keep-alive connection once it has
/// been idle for a while, and the client may learn of it only when it writes the next request
/// into that connection: the write fails (`EPIPE`, connection reset) or the read finds the
/// connection closed with nothing in it. That is not a failed payment; it is a dead socket.
/// So ``send(_:)`` resends a request exactly once, with `CURLOPT_FRESH_CONNECT` on a new
/// easy handle, when all three hold:
///
/// 1. the connection was reused: curl opened no connection for the transfer
///    (`CURLINFO_NUM_CONNECTS` is 0);
/// 2. no response byte came back: neither curl's header nor its body callback ran (and curl's
///    header and body counters agree);
/// 3. curl's error is one that says the connection died: `CURLE_SEND_ERROR` (55),
///    `CURLE_RECV_ERROR` (56) or `CURLE_GOT_NOTHING` (52);
/// 4. the request was not written whole (head and body): a request written whole may have been
///    acted on, and a payment in doubt is settled by the payment layer, by inquiry, never by a
///    blind resend here.
///
/// Never after a response byte, never after a timeout (or any other error), never twice: the
/// resend is made on a fresh connection, which cannot be stale, and its own failure is final.
/// It gets what is left of the request's whole-request deadline, not a new one, and is not
/// made when the calling task has been cancelled in between.
///
/// Why this is safe for payments: a request cut short on a dead connection was never read
/// whole by anyone, so no server can have acted on it; the resend is the identical request.
/// - If the resend fails too, the error keeps `TransportError.mayHaveReachedServer` true
///   whenever either attempt may have reached the server; and when the resend provably never
///   left (for example the new connection was refused) but the first attempt may have, the
///   error reported is the first attempt's (with the resend's failure in its message), so that
///   nobody reads "could not connect" as "never reached the server".
///
/// libcurl itself already resends some of these cases internally (7.88 does, up to five
/// times, when a reused connection is found closed or reset while waiting for the response,
/// or when sending the request head fails); the transfer then reports a new connection and
/// this logic stays out of the way. What libcurl does not cover, and this does, is for
/// example a write failing while a large body (64 KiB or more) is being streamed into the
/// dead connection. ``CurlTransportStatistics/staleConnectionResends`` counts the resends made
/// here.
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    /// The settings every request uses unless it overrides its timeouts.
    public let configuration: CurlTransportConfiguration
    private let loop: CurlMultiLoop
    private let easyPool: CurlEasyPool
    private let admission: CurlAdmission

    /// Starts a transport (and its curl thread).
    /// - Throws: `TransportError` if libcurl cannot be initialised.
    public init(configuration: CurlTransportConfiguration = CurlTransportConfiguration()) throws(TransportError) {
        self.configuration = configuration
        loop = try CurlMultiLoop(configuration: configuration)
        easyPool = CurlEasyPool(configuration: configuration)
        admission = CurlAdmission(limit: configuration.poolLimits.perHost)
    }

    deinit { loop.beginShutdown() }

    /// The linked libcurl and TLS library, for diagnostics.
    public static var libraryVersion: String { CurlGlobal.versionText }

    public func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let started = ContinuousClock.now
        let first = await admitted(request, freshConnection: false)
        guard case .failure(let firstError) = first.result else { return try first.result.get() }
        guard first.diedOnStaleConnection else { throw firstError }

        // The resend shares the request's whole-request deadline.
        let deadline = request.timeout ?? configuration.requestTimeout
        let remaining = deadline - (ContinuousClock.now - started)
        guard remaining >= .milliseconds(1) else { throw firstError }
        if Task.isCancelled {
            throw TransportError(
                .cancelled, "the task was cancelled before the request could be resent after: \(firstError.message)",
                mayHaveReachedServer: firstError.mayHaveReachedServer, curlCode: firstError.curlCode)
        }
        loop.statistics.withLock { $0.staleConnectionResends += 1 }
        var resend = request
        resend.timeout = remaining
        switch await admitted(resend, freshConnection: true).result {
        case .success(let response):
            return response
        case .failure(let resendError):
            throw CurlTransport.finalError(first: firstError, resend: resendError)
        }
    }

    /// One transfer of `request`, start to finish.
    /// ``perform(_:freshConnection:)`` once ``CurlAdmission`` lets the request into curl. Time
    /// spent waiting there counts against the request's deadline, as a wait for a connection
    /// inside curl would.
    @inline(__always)
    private func admitted(_ request: TransportRequest, freshConnection: Bool) async -> CurlCompletion {
        var request = request
        let host = request.head.authority ?? ""
        if !admission.tryEnter(host) {
            let arrived = ContinuousClock.now
            let deadline = request.timeout ?? configuration.requestTimeout
            switch await admission.wait(for: host, until: arrived + deadline) {
            case .admitted:
                break
            case .admittedAfterWaiting:
                let remaining = deadline - (ContinuousClock.now - arrived)
                guard remaining >= .milliseconds(1) else {
                    admission.leave(host)
                    return Self.queueTimeout(deadline, limit: configuration.poolLimits.perHost)
                }
                request.timeout = remaining
            case .expired:
                return Self.queueTimeout(deadline, limit: configuration.poolLimits.perHost)
            case .cancelled:
                return CurlCompletion(
                    result: .failure(
                        TransportError(.cancelled, "the task was cancelled while the request waited for a connection", mayHaveReachedServer: false)))
            }
        }
        let completion = await perform(request, freshConnection: freshConnection)
        admission.leave(host)
        return completion
    }

    /// A request whose deadline passed before it was let into curl: nothing was sent.
    private static func queueTimeout(_ deadline: Duration, limit: Int) -> CurlCompletion {
        CurlCompletion(
            result: .failure(
                TransportError(
                    .timeout,
                    "no connection came free within the request's \(deadline) deadline (\(limit) requests to the host were in flight); nothing was sent",
                    mayHaveReachedServer: false)))
    }

    private func perform(_ request: TransportRequest, freshConnection: Bool) async -> CurlCompletion {
        if Task.isCancelled {
            return CurlCompletion(
                result: .failure(TransportError(.cancelled, "the task was cancelled before the request was sent", mayHaveReachedServer: false)))
        }
        guard let easy = easyPool.take() else {
            return CurlCompletion(result: .failure(TransportError(.other, "curl_easy_init failed", mayHaveReachedServer: false)))
        }
        let transfer: CurlTransfer
        do {
            transfer = try CurlTransfer(request: request, configuration: configuration, easy: easy, pool: easyPool, freshConnection: freshConnection)
        } catch {
            return CurlCompletion(result: .failure(error))
        }
        let loop = self.loop
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<CurlCompletion, Never>) in
                transfer.attach(continuation)
                switch loop.submit(transfer) {
                case .accepted:
                    break
                case .shutDown:
                    transfer.finish(.failure(TransportError(.cancelled, "the transport has been shut down", mayHaveReachedServer: false)))
                case .cancelled:
                    transfer.finish(.failure(TransportError(.cancelled, "the request was cancelled", mayHaveReachedServer: false)))
                }
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// The error of a request whose resend failed too. Whether it may have reached the server
    /// covers both attempts; when only the first may have, the first attempt's error is the
    /// one reported, since the resend's kind (couldn't connect, TLS...) would claim it never
    /// left.
    static func finalError(first: TransportError, resend: TransportError) -> TransportError {
        let reached = first.mayHaveReachedServer || resend.mayHaveReachedServer
        if resend.mayHaveReachedServer || resend.kind == .cancelled || !first.mayHaveReachedServer {
            return TransportError(
                resend.kind, "\(resend.message) (resent on a new connection after the reused one died: \(first.message))",
                mayHaveReachedServer: reached, curlCode: resend.curlCode)
        }
        return TransportError(
            first.kind, "\(first.message) (the resend on a new connection failed too: \(resend.message))",
            mayHaveReachedServer: reached, curlCode: first.curlCode)
    }

    /// Refuses new requests, waits for those in flight, and stops the curl thread. Idempotent.
    public func shutdown() async {
        loop.beginShutdown()
        await loop.waitUntilStopped()
    }

    /// Counters since the transport started.
    public var statistics: CurlTransportStatistics { loop.statistics.withLock { $0 } }

    /// Requests resent on a new connection after a reused one turned out dead
    /// (``CurlTransportStatistics/staleConnectionResends``).
    public var staleConnectionResends: Int { loop.statistics.withLock { $0.staleConnectionResends } }

    /// Whether ``shutdown()`` has not been called yet.
    public var isRunning: Bool { loop.isAcceptingRequests }

    /// The transport's own thread, as a task executor: a task that prefers it
    /// (`withTaskExecutorPreference(transport.taskExecutor) { … }`) runs on the thread that
    /// drives curl, so a request's completion resumes it in place, with no other thread woken.
    ///
    /// This saves the hop between threads (about two context switches per request) for a loop
    /// of requests that does little work of its own between them: a reconciler's inquiries, a
    /// benchmark. Everything such a task does runs on that one thread, between turns of curl:
    /// signing, JSON and journal commits there delay every other request of the transport, so
    /// keep CPU-heavy or blocking work outside the preference. After ``shutdown()``, such tasks
    /// run on the global executor.
    @available(macOS 15.0, *)
    public var taskExecutor: any TaskExecutor { loop }

    /// Whether the caller runs on this transport's curl thread (for tests).
    var isOnTransportThread: Bool { loop.isLoopThread }

    /// Requests to `authority` let into curl, and waiting to be (for tests).
    func admissionLoad(_ authority: String) -> (taken: Int, waiting: Int) { admission.load(authority) }
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
    /// Transfers that reached curl and finished (successfully or not); a resend after a stale
    /// connection is a transfer of its own.
    public var transfers = 0
    /// New connections opened; much smaller than ``transfers`` when keep-alive works.
    public var connectionsOpened = 0
    /// Transfers that ran on a connection an earlier transfer had opened (kept alive in the
    /// pool). Transfers that never got a connection (refused, cancelled while queued) count
    /// neither here nor in ``connectionsOpened``.
    public var connectionsReused = 0
    /// Requests resent once on a new connection because the reused one died before any
    /// response byte (see ``CurlTransport``, "Stale keep-alive connections"). Resends libcurl
    /// makes internally are not counted here; they show in ``connectionsOpened``.
    public var staleConnectionResends = 0
}
