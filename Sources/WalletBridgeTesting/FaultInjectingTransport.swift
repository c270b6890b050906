import Foundation
import HTTPTypes
import WalletBridgeHTTP

/// An `HTTPTransport` that wraps another and injects network faults on the client side,
/// reproducibly: lost replies, refused connections, resets, delays, duplicated requests,
/// corrupted bodies and signatures. It tests what code built on `WalletClient` does when the
/// network misbehaves, against a real sandbox or a ``MockTransport``.
///
/// ```swift
/// let configuration = try FaultInjectingTransport.Configuration(seed: 42, rates: [.replyLost: 0.05, .refused: 0.02])
/// let transport = FaultInjectingTransport(wrapping: try CurlTransport(), configuration: configuration)  // or any HTTPTransport
/// ```
///
/// ## Determinism
///
/// Whether a request is faulted, and how, is a function of the seed and of four things about
/// the request only, never of timing or of the order in which concurrent requests arrive:
///
/// - the operation and key of the `RequestContext` bound around the send (`WalletClient` binds
///   `pay`, `inquire`, `cancel`, `refund` or `inquireRefund` and the merchant or refund
///   reference);
/// - the path of the request's URL (``path(of:)``);
/// - the attempt: 1 for the first request this transport sees for that (operation, key, path),
///   2 for the next, and so on. A client sends the requests of one reference one after
///   another, so the count is the same however many references run concurrently. (Where two
///   calls about one reference overlap, such as a notification's confirming inquiry beside
///   the settling loop, which of them is attempt n depends on timing; a shared token fetch is
///   bound as operation `token` with no key.)
///
/// A request sent with no context bound is decided as
/// `RequestContext(operation: request.method, key: "")`, its attempts counted per method and
/// path. ``fault(for:path:attempt:)`` tells, without sending anything, which fault a request
/// gets, so a run can be replayed and explained ("attempt 2 of `pay ORDER-7` lost its reply").
/// The draws use ``SeededDraw`` with the part `"fault"` first, so a server-side plan using the
/// same seed with its own parts does not fault the same requests.
///
/// ## Faults
///
/// Each request gets at most one ``Fault``; see its cases for what each does. A fault that
/// cannot apply (a body to corrupt that is empty) leaves the response alone and is not
/// counted in ``statistics``. When the wrapped transport fails, its own error is thrown (after
/// a duplicate that reached the server, with `TransportError.mayHaveReachedServer` true).
///
/// ## Memory
///
/// The attempt counts are kept per distinct (operation, key, path): the table grows with the
/// number of distinct references sent through the transport (an entry holds the three strings
/// and a count) and is never trimmed by itself. A long-running process calls ``resetAttempts()`` between runs.
///
/// Messages and descriptions name faults, operations and attempts, never bodies or header
/// values.
public final class FaultInjectingTransport: HTTPTransport, @unchecked Sendable {
    /// A network fault, and what ``FaultInjectingTransport`` does to inject it. The raw values
    /// are the names tools print and parse.
    public enum Fault: String, CaseIterable, Sendable {
        /// The connection is refused: the wrapped transport is not called, and the error is
        /// `TransportError.Kind.couldNotConnect` with `TransportError.mayHaveReachedServer`
        /// false.
        case refused = "refused"
        /// The request is sent (the server processes it) and the reply never arrives: the
        /// response is discarded, and the error is `TransportError.Kind.timeout`, which may
        /// have reached the server.
        case replyLost = "reply-lost"
        /// The request is sent (the server processes it) and the connection is reset while the
        /// reply comes in: the response is discarded, and the error is
        /// `TransportError.Kind.other`, which may have reached the server.
        case resetMidReply = "reset-mid-reply"
        /// The request waits ``Configuration/delay`` (through the transport's sleep function),
        /// then is sent normally.
        case delay = "delay"
        /// The identical request is sent twice, one after the other (a proxy or a client
        /// library retrying on its own); the second reply, the server's answer to a replay, is
        /// returned.
        case duplicate = "duplicate"
        /// The request is sent, then one bit of one byte of the response body, chosen from the
        /// seed, is flipped. An empty body is left alone (no fault).
        case corruptBody = "corrupt-body"
        /// The request is sent, then one character of the value of the first response header
        /// named in ``Configuration/signatureHeaders`` (ignoring case, with a non-empty value) is
        /// replaced by another printable ASCII character, so that it remains a valid header
        /// value. Without such a header, the body is corrupted as by ``corruptBody`` (counted
        /// as `corruptSignature`).
        case corruptSignature = "corrupt-signature"
    }

    /// Which faults to inject, how often, and where.
    ///
    /// ## Profiles
    ///
    /// ``profile(_:seed:)`` names ready-made rates (per request; at most one fault per request):
    ///
    /// | Fault                 | `none` | `flaky` | `chaos` |
    /// |-----------------------|--------|---------|---------|
    /// | `refused`             | 0      | 1%      | 2%      |
    /// | `reply-lost`          | 0      | 1%      | 3%      |
    /// | `reset-mid-reply`     | 0      | 0       | 2%      |
    /// | `delay`               | 0      | 1%      | 2%      |
    /// | `duplicate`           | 0      | 0       | 2%      |
    /// | `corrupt-body`        | 0      | 0.5%    | 1.5%    |
    /// | `corrupt-signature`   | 0      | 0       | 1.5%    |
    /// | any fault             | 0      | 3.5%    | 14%     |
    ///
    /// Every profile uses the default ``delay`` (200 ms), ``signatureHeaders`` and
    /// ``operations`` (all); change them on the returned value.
    public struct Configuration: Sendable, Equatable, CustomStringConvertible {
        /// The seed every draw is made from.
        public var seed: UInt64
        /// The probability of each fault per request. The faults are exclusive: one value `u`
        /// in `0..<1` is drawn per request and compared with the running sum of the rates in
        /// `Fault.allCases` order. Set by ``init(seed:rates:delay:signatureHeaders:operations:)``,
        /// which checks them.
        public private(set) var rates: [Fault: Double]
        /// How long ``Fault/delay`` waits before sending.
        public var delay: Duration
        /// The response headers ``Fault/corruptSignature`` corrupts (names match ignoring case);
        /// the first header of the response with one of these names is the one changed.
        public var signatureHeaders: [HTTPField.Name]
        /// The operations (`RequestContext.operation`) that may be faulted; nil for all. A
        /// request sent with no context has its method as operation.
        public var operations: Set<String>?

        /// The signature headers of the schemes WalletBridge ships: `signature` (Alipay+) and
        /// `x-signature` (SNAP).
        public static let defaultSignatureHeaders: [HTTPField.Name] = [.signature, .xSignature]

        /// The profile names ``profile(_:seed:)`` knows, for help texts.
        public static let profileNames = ["none", "flaky", "chaos"]

        /// Rates may add up to 1 plus this, for rounding (`0.1 + 0.2 + 0.7`).
        static let rateTolerance = 1e-9

        /// Creates a configuration.
        /// - Throws: ``ConfigurationError`` when a rate is negative, above 1 or not a number,
        ///   or when the rates add up to more than 1.
        public init(
            seed: UInt64,
            rates: [Fault: Double] = [:],
            delay: Duration = .milliseconds(200),
            signatureHeaders: [HTTPField.Name] = Configuration.defaultSignatureHeaders,
            operations: Set<String>? = nil
        ) throws(ConfigurationError) {
            var total = 0.0
            for fault in Fault.allCases {
                guard let rate = rates[fault] else { continue }
                guard rate >= 0, rate <= 1 else { throw ConfigurationError.invalidRate(fault, rate) }
                total += rate
            }
            guard total <= 1 + Configuration.rateTolerance else { throw ConfigurationError.ratesExceedOne(total: total) }
            self.seed = seed
            self.rates = rates
            self.delay = delay
            self.signatureHeaders = signatureHeaders
            self.operations = operations
        }

        /// The ready-made configuration called `name` (see the table above), or nil for an
        /// unknown name.
        public static func profile(_ name: String, seed: UInt64) -> Configuration? {
            switch name {
            case "none":
                return try? Configuration(seed: seed)
            case "flaky":
                return try? Configuration(seed: seed, rates: [.refused: 0.01, .replyLost: 0.01, .delay: 0.01, .corruptBody: 0.005])
            case "chaos":
                return try? Configuration(
                    seed: seed,
                    rates: [
                        .refused: 0.02, .replyLost: 0.03, .resetMidReply: 0.02, .delay: 0.02, .duplicate: 0.02,
                        .corruptBody: 0.015, .corruptSignature: 0.015,
                    ])
            default:
                return nil
            }
        }

        /// The fault a request gets, or nil: a pure function of the configuration and its
        /// arguments, which ``FaultInjectingTransport/send(_:)`` follows.
        /// - Parameters:
        ///   - context: the request's context. `send(_:)` uses the bound `RequestContext.current`,
        ///     or `RequestContext(operation: method, key: "")` for a request sent without one;
        ///     nil is taken as an empty operation and key.
        ///   - path: the path of the request's URL (``FaultInjectingTransport/path(of:)``).
        ///   - attempt: 1 for the first request with this context and path, 2 for the next...
        public func fault(for context: RequestContext?, path: String, attempt: Int) -> Fault? {
            let operation = context?.operation ?? ""
            if let operations, !operations.contains(operation) { return nil }
            guard rates.values.contains(where: { $0 > 0 }) else { return nil }
            let u = SeededDraw.unit(seed: seed, "fault", operation, context?.key ?? "", path, String(attempt))
            var cumulative = 0.0
            for fault in Fault.allCases {
                guard let rate = rates[fault], rate > 0 else { continue }
                cumulative += rate
                if u < cumulative { return fault }
            }
            return nil
        }

        /// Seed, rates, delay and operations.
        public var description: String {
            let faults = Fault.allCases.compactMap { fault in rates[fault].flatMap { $0 > 0 ? "\(fault.rawValue)=\($0)" : nil } }
            let operationList = operations.map { $0.sorted().joined(separator: ",") } ?? "all"
            return "seed \(seed); faults \(faults.isEmpty ? "none" : faults.joined(separator: " ")); delay \(delay); operations \(operationList)"
        }
    }

    /// Why a ``Configuration`` was refused.
    public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
        /// A rate is negative, above 1, or not a number.
        case invalidRate(Fault, Double)
        /// The rates add up to more than 1; they are exclusive (at most one fault per request).
        case ratesExceedOne(total: Double)

        /// What is wrong, for a person.
        public var description: String {
            switch self {
            case .invalidRate(let fault, let rate):
                return "the rate of \(fault.rawValue) must be between 0 and 1, not \(rate)"
            case .ratesExceedOne(let total):
                return "fault rates add up to \(total); at most one fault is injected per request, so they must add up to 1 or less"
            }
        }
    }

    /// What a ``FaultInjectingTransport`` has done so far.
    public struct Statistics: Sendable, Equatable {
        /// Requests sent through the transport.
        public var requests: Int
        /// Faults injected, per kind; a fault that could not apply (an empty body to corrupt) is
        /// not counted.
        public var injected: [Fault: Int]

        /// Creates statistics.
        public init(requests: Int = 0, injected: [Fault: Int] = [:]) {
            self.requests = requests
            self.injected = injected
        }

        /// Faults injected, all kinds together.
        public var injectedTotal: Int { injected.values.reduce(0, +) }
    }

    /// Waits for a duration; the transport calls it for ``Fault/delay``.
    public typealias Sleep = @Sendable (Duration) async -> Void

    /// The faults, their rates and the seed.
    public let configuration: Configuration

    private let inner: any HTTPTransport
    private let sleep: Sleep
    private let lock = NSLock()
    private var attempts: [AttemptKey: Int] = [:]
    private var counters = Statistics()

    /// Creates a transport that sends through `inner`, injecting faults as `configuration` says.
    /// - Parameters:
    ///   - inner: The transport that carries the requests (`CurlTransport`, a ``MockTransport``...).
    ///   - configuration: The seed, the rates and the operations faults apply to.
    ///   - sleep: waits for ``Fault/delay``; `Task.sleep` by default (a cancelled task
    ///   stops waiting and the request is sent at once, for `inner` to report the cancellation).
    public init(
        wrapping inner: any HTTPTransport,
        configuration: Configuration,
        sleep: @escaping Sleep = { duration in try? await Task.sleep(for: duration) }
    ) {
        self.inner = inner
        self.configuration = configuration
        self.sleep = sleep
    }

    /// The fault a request gets, or nil, without sending anything: see
    /// ``Configuration/fault(for:path:attempt:)``.
    public func fault(for context: RequestContext?, path: String, attempt: Int) -> Fault? {
        configuration.fault(for: context, path: path, attempt: attempt)
    }

    /// Requests seen and faults injected so far.
    public var statistics: Statistics {
        lock.withLock { counters }
    }

    /// Forgets every attempt count, so that the next request of each (operation, key, path) is
    /// attempt 1 again. ``statistics`` are kept.
    public func resetAttempts() {
        lock.withLock { attempts.removeAll() }
    }

    /// The path of `url` as the fault draw uses it: from the first `/` after the authority up
    /// to the query or fragment, `/` when empty. `https://h:8443/v1/pay?x=1` → `/v1/pay`.
    public static func path(of url: String) -> String {
        var rest = Substring(url)
        if let schemeEnd = rest.range(of: "://") {
            rest = rest[schemeEnd.upperBound...]
            guard let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) else { return "/" }
            rest = rest[authorityEnd...]
        }
        let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? rest.endIndex
        return rest[..<end].isEmpty ? "/" : String(rest[..<end])
    }

    /// Sends `request` through the wrapped transport, with the fault its context, path and
    /// attempt draw (if any).
    /// - Throws: `TransportError`: an injected one, or the wrapped transport's own.
    public func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let context = RequestContext.current ?? RequestContext(operation: request.method.rawValue, key: "")
        let path = Self.path(of: request.url)
        let attempt = lock.withLock { () -> Int in
            counters.requests += 1
            let key = AttemptKey(context: context, path: path)
            let attempt = (attempts[key] ?? 0) + 1
            attempts[key] = attempt
            return attempt
        }
        guard let fault = configuration.fault(for: context, path: path, attempt: attempt) else {
            return try await inner.send(request)
        }
        let parts = [context.operation, context.key, path, String(attempt)]

        switch fault {
        case .refused:
            record(fault)
            throw TransportError(.couldNotConnect, "connection refused (injected)", mayHaveReachedServer: false)
        case .replyLost:
            _ = try await inner.send(request)
            record(fault)
            throw TransportError(.timeout, "no reply arrived after the request was sent (injected)", mayHaveReachedServer: true)
        case .resetMidReply:
            _ = try await inner.send(request)
            record(fault)
            throw TransportError(.other, "connection reset by peer while receiving the reply (injected)", mayHaveReachedServer: true)
        case .delay:
            await sleep(configuration.delay)
            record(fault)
            return try await inner.send(request)
        case .duplicate:
            _ = try await inner.send(request)
            record(fault)
            do throws(TransportError) {
                return try await inner.send(request)
            } catch {
                throw TransportError(
                    error.kind, "\(error.message) (sending the duplicate of a request that was sent; injected)",
                    mayHaveReachedServer: true, curlCode: error.curlCode)
            }
        case .corruptBody:
            var response = try await inner.send(request)
            if Self.corruptBody(of: &response, seed: configuration.seed, parts: parts) { record(fault) }
            return response
        case .corruptSignature:
            var response = try await inner.send(request)
            if Self.corruptSignature(of: &response, names: configuration.signatureHeaders, seed: configuration.seed, parts: parts)
                || Self.corruptBody(of: &response, seed: configuration.seed, parts: parts)
            {
                record(fault)
            }
            return response
        }
    }

    // MARK: Corruption

    /// Flips one bit of one byte of the body, both drawn from the seed; false for an empty body.
    static func corruptBody(of response: inout TransportResponse, seed: UInt64, parts: [String]) -> Bool {
        guard !response.body.isEmpty else { return false }
        let position = SeededDraw.index(seed: seed, count: response.body.count, ["corrupt-body-byte"] + parts)
        let bit = SeededDraw.index(seed: seed, count: 8, ["corrupt-body-bit"] + parts)
        response.body[position] ^= UInt8(1) << UInt8(bit)
        return true
    }

    /// The printable ASCII characters a signature character is replaced by (no space, which
    /// a header parser could trim at either end).
    private static let printable: ClosedRange<UInt32> = 0x21...0x7E

    /// Replaces one character of the first named header with a non-empty value by another
    /// printable ASCII character, both drawn from the seed; false when no header qualifies.
    static func corruptSignature(of response: inout TransportResponse, names: [HTTPField.Name], seed: UInt64, parts: [String]) -> Bool {
        let wanted = Set(names)
        var fields = response.headerFields
        guard let index = fields.firstIndex(where: { wanted.contains($0.name) && !$0.value.isEmpty }) else { return false }
        var scalars = Array(fields[index].value.unicodeScalars)
        let position = SeededDraw.index(seed: seed, count: scalars.count, ["corrupt-signature-position"] + parts)
        let original = scalars[position].value
        let isPrintable = printable.contains(original)
        let choices = printable.count - (isPrintable ? 1 : 0)
        var replacement = printable.lowerBound + UInt32(SeededDraw.index(seed: seed, count: choices, ["corrupt-signature-character"] + parts))
        if isPrintable, replacement >= original { replacement += 1 }
        guard let scalar = Unicode.Scalar(replacement) else { return false }
        scalars[position] = scalar
        var value = String.UnicodeScalarView()
        value.append(contentsOf: scalars)
        fields[index].value = String(value)
        response.headerFields = fields
        return true
    }

    // MARK: State

    private func record(_ fault: Fault) {
        lock.withLock { counters.injected[fault, default: 0] += 1 }
    }

    private struct AttemptKey: Hashable {
        var context: RequestContext
        var path: String
    }
}
