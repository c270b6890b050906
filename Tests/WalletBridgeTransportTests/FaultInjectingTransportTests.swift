import Foundation
import HTTPTypes
import Testing
import WalletBridgeHTTP
import WalletBridgeTesting
import WalletBridgeTransport

@Suite("FaultInjectingTransport")
struct FaultInjectingTransportTests {
    typealias Fault = FaultInjectingTransport.Fault
    typealias Configuration = FaultInjectingTransport.Configuration

    static let payURL = "http://wallet.invalid/v1/payments/pay?lang=en"
    static let signature = "algorithm=RSA256,keyVersion=1,signature=SECRETabc123%2B%3D"
    static let body = Array(#"{"result":{"resultStatus":"S","resultCode":"SUCCESS"}}"#.utf8)
    static let reply = TransportResponse(
        status: 200,
        headerFields: [.contentType: "application/json", .signature: signature, .responseTime: "2024-01-01T00:00:00Z"],
        body: body)
    static let request = TransportRequest(
        method: .post, url: payURL, headerFields: [.contentType: "application/json"], body: Array(#"{"order":"ORDER-1"}"#.utf8))

    // MARK: SeededDraw

    @Suite("SeededDraw")
    struct SeededDrawTests {
        @Test func isAFunctionOfTheSeedAndThePartsOnly() {
            let first = SeededDraw.unit(seed: 42, "pay", "ORDER-1", "1")
            #expect(SeededDraw.unit(seed: 42, "pay", "ORDER-1", "1") == first)
            #expect(SeededDraw.unit(seed: 42, ["pay", "ORDER-1", "1"]) == first, "the variadic and array forms agree")
            #expect(SeededDraw.unit(seed: 43, "pay", "ORDER-1", "1") != first)
            #expect(SeededDraw.unit(seed: 42, "pay", "ORDER-1", "2") != first)
            #expect(SeededDraw.index(seed: 42, count: 1000, "pay", "ORDER-1") == SeededDraw.index(seed: 42, count: 1000, ["pay", "ORDER-1"]))
        }

        @Test func isPinnedBitForBit() {
            // Computed independently from the documented algorithm (FNV-1a 64 with 0xFF between
            // parts, xor SplitMix64(seed), SplitMix64 finalizer, top 53 bits): a change here
            // changes every recorded fault plan.
            #expect(SeededDraw.unit(seed: 42, "a", "b") == 0.11674458921638364)
            #expect(SeededDraw.unit(seed: 42, "a", "b") * 0x1p53 == 1_051_541_776_984_854)
            #expect(SeededDraw.index(seed: 42, count: 1000, "a", "b") == 116)
            #expect(SeededDraw.unit(seed: 0) == 0.6825916749338469)
        }

        @Test func separatesAndOrdersTheParts() {
            #expect(SeededDraw.unit(seed: 1, "ab", "c") != SeededDraw.unit(seed: 1, "a", "bc"))
            #expect(SeededDraw.unit(seed: 1, "a", "b") != SeededDraw.unit(seed: 1, "b", "a"))
            #expect(SeededDraw.unit(seed: 1, "a", "") != SeededDraw.unit(seed: 1, "a"))
            #expect(SeededDraw.unit(seed: 1, "ab") != SeededDraw.unit(seed: 1, "a", "b"))
        }

        @Test func isRoughlyUniform() {
            var sum = 0.0
            var deciles = [Int](repeating: 0, count: 10)
            for n in 0..<10_000 {
                let u = SeededDraw.unit(seed: 2024, "uniform", String(n))
                #expect(u >= 0 && u < 1)
                sum += u
                deciles[Int(u * 10)] += 1
            }
            let mean = sum / 10_000
            #expect(mean > 0.45 && mean < 0.55, "mean \(mean)")
            #expect(deciles.allSatisfy { $0 > 850 && $0 < 1150 }, "deciles \(deciles)")
        }

        @Test func indexStaysInRangeAndReachesEveryChoice() {
            var seen = Set<Int>()
            for n in 0..<1000 {
                let index = SeededDraw.index(seed: 9, count: 7, "index", String(n))
                #expect((0..<7).contains(index))
                seen.insert(index)
            }
            #expect(seen == Set(0..<7))
            #expect(SeededDraw.index(seed: 9, count: 1, "only") == 0)
        }
    }

    // MARK: Determinism

    /// Rates that make every kind of fault common enough to show in 160 requests.
    static func mixedConfiguration(seed: UInt64) throws -> Configuration {
        try Configuration(seed: seed, rates: Dictionary(uniqueKeysWithValues: Fault.allCases.map { ($0, 0.07) }))
    }

    static let references = (0..<40).map { "ORDER-\($0)" }
    static let attemptsPerReference = 4

    @Test func theSameSeedGivesTheSameFaultsAndAnotherSeedOthers() async throws {
        let first = try await Harness(seed: 7).observeSequentially()
        let second = try await Harness(seed: 7).observeSequentially()
        let other = try await Harness(seed: 8).observeSequentially()
        #expect(first == second)
        #expect(first != other)
    }

    @Test func concurrentSendsGetTheFaultsSequentialSendsGet() async throws {
        let sequential = try await Harness(seed: 11).observeSequentially()
        let concurrent = try await Harness(seed: 11).observeConcurrently()
        #expect(sequential == concurrent)
    }

    @Test func theObservedFaultsAreThePredictedOnes() async throws {
        let harness = try Harness(seed: 11)
        let observed = await harness.observeConcurrently()
        var predicted: [String: [String]] = [:]
        var kinds = Set<Fault>()
        for reference in Self.references {
            predicted[reference] = (1...Self.attemptsPerReference).map { attempt in
                let fault = harness.transport.fault(
                    for: RequestContext(operation: "pay", key: reference), path: "/v1/payments/pay", attempt: attempt)
                if let fault { kinds.insert(fault) }
                return Harness.expectedObservation(fault)
            }
        }
        #expect(observed == predicted)
        #expect(kinds == Set(Fault.allCases), "every kind of fault was exercised")
        let statistics = harness.transport.statistics
        #expect(statistics.requests == Self.references.count * Self.attemptsPerReference)
        #expect(statistics.injectedTotal == predicted.values.joined().filter { !$0.hasPrefix("none") }.count)
    }

    /// Sends every reference's attempts through a fault injector over a mock server that
    /// counts requests per reference, and names the fault each attempt observably got, with
    /// how many requests the server saw for it: `"reply-lost/1"`.
    struct Harness: Sendable {
        let transport: FaultInjectingTransport
        let served: Tally
        let slept: Tally

        init(seed: UInt64) throws {
            let served = Tally(), slept = Tally()
            self.served = served
            self.slept = slept
            let mock = MockTransport { request in
                let reference = String(decoding: request.body, as: UTF8.self)
                let count = served.increment(reference)
                return TransportResponse(
                    status: 200,
                    headerFields: [.contentType: "text/plain", .signature: "sig-\(reference)-\(count)"],
                    body: Array("\(reference) \(count)".utf8))
            }
            transport = FaultInjectingTransport(
                wrapping: mock, configuration: try FaultInjectingTransportTests.mixedConfiguration(seed: seed),
                sleep: { _ in slept.increment(RequestContext.current?.key ?? "") })
        }

        static func expectedObservation(_ fault: Fault?) -> String {
            switch fault {
            case nil: return "none/1"
            case .refused: return "refused/0"
            case .duplicate: return "duplicate/2"
            case let fault?: return "\(fault.rawValue)/1"
            }
        }

        /// The attempts of one reference, one after another as a client sends them.
        func observe(_ reference: String) async -> [String] {
            var observations: [String] = []
            let request = TransportRequest(method: .post, url: "https://wallet.invalid/v1/payments/pay", body: Array(reference.utf8))
            for _ in 0..<FaultInjectingTransportTests.attemptsPerReference {
                let servedBefore = served.count(reference)
                let sleptBefore = slept.count(reference)
                let result = await FaultInjectingTransportTests.send(request, through: transport, operation: "pay", key: reference)
                let servedNow = served.count(reference)
                let name: String
                switch result {
                case .failure(let error):
                    switch error.kind {
                    case .couldNotConnect where !error.mayHaveReachedServer: name = Fault.refused.rawValue
                    case .timeout where error.mayHaveReachedServer: name = Fault.replyLost.rawValue
                    case .other where error.mayHaveReachedServer: name = Fault.resetMidReply.rawValue
                    default: name = "unexpected \(error)"
                    }
                case .success(let response):
                    if slept.count(reference) > sleptBefore {
                        name = Fault.delay.rawValue
                    } else if servedNow - servedBefore == 2 {
                        name = Fault.duplicate.rawValue
                    } else if response.body != Array("\(reference) \(servedNow)".utf8) {
                        name = Fault.corruptBody.rawValue
                    } else if response.headerFields[.signature] != "sig-\(reference)-\(servedNow)" {
                        name = Fault.corruptSignature.rawValue
                    } else {
                        name = "none"
                    }
                }
                observations.append("\(name)/\(servedNow - servedBefore)")
            }
            return observations
        }

        func observeSequentially() async -> [String: [String]] {
            var observed: [String: [String]] = [:]
            for reference in FaultInjectingTransportTests.references {
                observed[reference] = await observe(reference)
            }
            return observed
        }

        func observeConcurrently() async -> [String: [String]] {
            await withTaskGroup(of: (String, [String]).self) { group in
                for reference in FaultInjectingTransportTests.references {
                    group.addTask { (reference, await observe(reference)) }
                }
                var observed: [String: [String]] = [:]
                for await (reference, observations) in group { observed[reference] = observations }
                return observed
            }
        }
    }

    /// A count per key, shared between a test and the closures it hands out.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]

        @discardableResult
        func increment(_ key: String) -> Int {
            lock.withLock {
                let count = (counts[key] ?? 0) + 1
                counts[key] = count
                return count
            }
        }

        func count(_ key: String) -> Int { lock.withLock { counts[key] ?? 0 } }
    }

    /// Sends `request` with a `RequestContext` bound (none when `operation` is nil).
    static func send(
        _ request: TransportRequest, through transport: some HTTPTransport, operation: String? = "pay", key: String = "ORDER-1"
    ) async -> Result<TransportResponse, TransportError> {
        func attempt() async -> Result<TransportResponse, TransportError> {
            do throws(TransportError) {
                return .success(try await transport.send(request))
            } catch {
                return .failure(error)
            }
        }
        guard let operation else { return await attempt() }
        return await RequestContext.$current.withValue(RequestContext(operation: operation, key: key)) { await attempt() }
    }

    /// A transport that always injects `fault` over `inner`.
    static func always(
        _ fault: Fault, over inner: MockTransport, seed: UInt64 = 5, delay: Duration = .milliseconds(200),
        sleep: @escaping FaultInjectingTransport.Sleep = { _ in }
    ) throws -> FaultInjectingTransport {
        FaultInjectingTransport(wrapping: inner, configuration: try Configuration(seed: seed, rates: [fault: 1.0], delay: delay), sleep: sleep)
    }

    // MARK: Each fault

    @Test func refusedNeverReachesTheInnerTransport() async throws {
        let inner = MockTransport.replying(Self.reply)
        let transport = try Self.always(.refused, over: inner)
        let result = await Self.send(Self.request, through: transport)
        #expect(result.failure?.kind == .couldNotConnect)
        #expect(result.failure?.mayHaveReachedServer == false)
        #expect(inner.requests.isEmpty)
        #expect(transport.statistics == .init(requests: 1, injected: [.refused: 1]))
    }

    @Test func replyLostReachesTheServerOnceAndTimesOut() async throws {
        let inner = MockTransport.replying(Self.reply)
        let transport = try Self.always(.replyLost, over: inner)
        let result = await Self.send(Self.request, through: transport)
        #expect(result.failure?.kind == .timeout)
        #expect(result.failure?.mayHaveReachedServer == true)
        #expect(inner.requests == [Self.request])
    }

    @Test func resetMidReplyReachesTheServerOnceAndIsABrokenConnection() async throws {
        let inner = MockTransport.replying(Self.reply)
        let transport = try Self.always(.resetMidReply, over: inner)
        let result = await Self.send(Self.request, through: transport)
        #expect(result.failure?.kind == .other)
        #expect(result.failure?.message == "connection reset by peer while receiving the reply (injected)")
        #expect(result.failure?.mayHaveReachedServer == true)
        #expect(inner.requests.count == 1)
    }

    @Test func aFailureOfTheInnerTransportIsItsOwn() async throws {
        let refused = TransportError(.couldNotConnect, "Connection refused", mayHaveReachedServer: false, curlCode: 7)
        let inner = MockTransport.failing(refused)
        let transport = try Self.always(.replyLost, over: inner)
        #expect(await Self.send(Self.request, through: transport).failure == refused)
        #expect(transport.statistics.injectedTotal == 0, "no reply was there to lose")
    }

    @Test func duplicateSendsTheIdenticalRequestTwiceAndReturnsTheSecondReply() async throws {
        let second = TransportResponse(status: 200, headerFields: [.signature: "replayed"], body: Array("replayed".utf8))
        let inner = MockTransport.sequence([.success(Self.reply), .success(second)])
        let transport = try Self.always(.duplicate, over: inner)
        let result = await Self.send(Self.request, through: transport)
        #expect(result.success == second)
        #expect(inner.requests == [Self.request, Self.request])
    }

    @Test func aDuplicateThatFailsAfterTheFirstSendWentOutMayHaveReachedTheServer() async throws {
        let refused = TransportError(.couldNotConnect, "Connection refused", mayHaveReachedServer: false, curlCode: 7)
        let inner = MockTransport.sequence([.success(Self.reply), .failure(refused)])
        let transport = try Self.always(.duplicate, over: inner)
        let error = await Self.send(Self.request, through: transport).failure
        #expect(error?.kind == .couldNotConnect)
        #expect(error?.curlCode == 7)
        #expect(error?.mayHaveReachedServer == true, "the first send went out")

        let neverSent = MockTransport.failing(refused)
        let again = try Self.always(.duplicate, over: neverSent)
        #expect(await Self.send(Self.request, through: again).failure == refused, "the first send failed: its error, unchanged")
        #expect(neverSent.requests.count == 1)
    }

    @Test func corruptBodyFlipsOneBitOfOneByte() async throws {
        let inner = MockTransport.replying(Self.reply)
        let transport = try Self.always(.corruptBody, over: inner)
        var positions = Set<Int>()
        for _ in 0..<50 {
            let response = try #require(await Self.send(Self.request, through: transport).success)
            #expect(response.status == Self.reply.status)
            #expect(response.headerFields == Self.reply.headerFields)
            #expect(response.body.count == Self.body.count)
            let changed = zip(response.body, Self.body).enumerated().filter { $0.element.0 != $0.element.1 }
            #expect(changed.count == 1)
            if let change = changed.first {
                #expect((change.element.0 ^ change.element.1).nonzeroBitCount == 1)
                positions.insert(change.offset)
            }
        }
        #expect(positions.count > 10, "the position is drawn per attempt")
        #expect(transport.statistics.injected == [.corruptBody: 50])
    }

    @Test func corruptBodyLeavesAnEmptyBodyAlone() async throws {
        let empty = TransportResponse(status: 204)
        let transport = try Self.always(.corruptBody, over: MockTransport.replying(empty))
        #expect(await Self.send(Self.request, through: transport).success == empty)
        #expect(transport.statistics == .init(requests: 1, injected: [:]))
    }

    @Test func corruptSignatureChangesOneCharacterOfTheSignatureAndNotTheBody() async throws {
        let inner = MockTransport.replying(Self.reply)
        let transport = try Self.always(.corruptSignature, over: inner)
        for _ in 0..<50 {
            let response = try #require(await Self.send(Self.request, through: transport).success)
            #expect(response.body == Self.body)
            #expect(response.headerFields.map(\.name.rawName) == Self.reply.headerFields.map(\.name.rawName), "order and names kept")
            #expect(response.headerFields[.contentType] == Self.reply.headerFields[.contentType])
            #expect(response.headerFields[.responseTime] == Self.reply.headerFields[.responseTime])
            let corrupted = Array(try #require(response.headerFields[.signature]).utf8)
            let original = Array(Self.signature.utf8)
            #expect(corrupted.count == original.count)
            #expect(zip(corrupted, original).filter { $0 != $1 }.count == 1)
            #expect(corrupted.allSatisfy { (0x21...0x7E).contains($0) }, "still a valid header value")
        }
    }

    @Test func corruptSignatureTakesTheFirstSignatureHeaderInAnyCase() async throws {
        let reply = TransportResponse(status: 200, headerFields: [.xSignature: "snap-signature", .signature: "other"], body: Array("{}".utf8))
        let transport = try Self.always(.corruptSignature, over: MockTransport.replying(reply))
        let response = try #require(await Self.send(Self.request, through: transport).success)
        #expect(response.headerFields[.xSignature] != "snap-signature")
        #expect(response.headerFields[.signature] == "other")
        #expect(response.body == reply.body)
    }

    @Test func corruptSignatureWithoutASignatureHeaderCorruptsTheBody() async throws {
        let reply = TransportResponse(status: 200, headerFields: [.contentType: "application/json"], body: Self.body)
        let transport = try Self.always(.corruptSignature, over: MockTransport.replying(reply))
        let response = try #require(await Self.send(Self.request, through: transport).success)
        #expect(response.headerFields == reply.headerFields)
        #expect(zip(response.body, Self.body).filter { $0 != $1 }.count == 1)
        #expect(transport.statistics.injected == [.corruptSignature: 1])
    }

    @Test func delayWaitsTheConfiguredDurationThroughTheInjectedSleep() async throws {
        let waits = Waits()
        let inner = MockTransport.replying(Self.reply)
        let transport = try Self.always(.delay, over: inner, delay: .milliseconds(350), sleep: { waits.append($0) })
        #expect(await Self.send(Self.request, through: transport).success == Self.reply)
        #expect(waits.all == [.milliseconds(350)])
        #expect(inner.requests == [Self.request])
    }

    final class Waits: @unchecked Sendable {
        private let lock = NSLock()
        private var waits: [Duration] = []
        func append(_ wait: Duration) { lock.withLock { waits.append(wait) } }
        var all: [Duration] { lock.withLock { waits } }
    }

    // MARK: Configuration

    @Test func onlyTheNamedOperationsAreFaulted() async throws {
        var configuration = try Configuration(seed: 3, rates: [.refused: 1.0])
        configuration.operations = ["pay"]
        let inner = MockTransport.replying(Self.reply)
        let transport = FaultInjectingTransport(wrapping: inner, configuration: configuration)
        #expect(await Self.send(Self.request, through: transport, operation: "inquire").success == Self.reply)
        #expect(await Self.send(Self.request, through: transport, operation: nil).success == Self.reply, "no context: the operation is the method")
        #expect(await Self.send(Self.request, through: transport, operation: "pay").failure?.kind == .couldNotConnect)
        #expect(inner.requests.count == 2)
        #expect(transport.statistics == .init(requests: 3, injected: [.refused: 1]))
    }

    @Test func ratesMustBeProbabilitiesAddingUpToOneAtMost() throws {
        #expect(throws: FaultInjectingTransport.ConfigurationError.ratesExceedOne(total: 1.2)) {
            try Configuration(seed: 1, rates: [.refused: 0.6, .replyLost: 0.6])
        }
        #expect(throws: FaultInjectingTransport.ConfigurationError.invalidRate(.delay, -0.1)) {
            try Configuration(seed: 1, rates: [.delay: -0.1])
        }
        #expect(throws: FaultInjectingTransport.ConfigurationError.self) {
            try Configuration(seed: 1, rates: [.duplicate: .nan])
        }
        #expect(throws: FaultInjectingTransport.ConfigurationError.self) {
            try Configuration(seed: 1, rates: [.duplicate: 1.5])
        }
        // Exactly 1, up to rounding, is fine.
        let full = try Configuration(seed: 1, rates: [.refused: 0.1, .replyLost: 0.2, .delay: 0.7])
        #expect(full.rates[.delay] == 0.7)
    }

    @Test func theProfilesHaveTheDocumentedRates() throws {
        #expect(Configuration.profileNames == ["none", "flaky", "chaos"])
        #expect(Configuration.profile("storm", seed: 1) == nil)
        let none = try #require(Configuration.profile("none", seed: 1))
        #expect(none.rates.values.allSatisfy { $0 == 0 })
        let flaky = try #require(Configuration.profile("flaky", seed: 1))
        #expect(flaky.rates == [.refused: 0.01, .replyLost: 0.01, .delay: 0.01, .corruptBody: 0.005])
        let chaos = try #require(Configuration.profile("chaos", seed: 99))
        #expect(chaos.seed == 99)
        #expect(
            chaos.rates == [
                .refused: 0.02, .replyLost: 0.03, .resetMidReply: 0.02, .delay: 0.02, .duplicate: 0.02,
                .corruptBody: 0.015, .corruptSignature: 0.015,
            ])
        #expect(abs(chaos.rates.values.reduce(0, +) - 0.14) < 1e-9)
        #expect(chaos.delay == .milliseconds(200))
        #expect(chaos.signatureHeaders.map(\.rawName) == ["signature", "x-signature"])
        #expect(chaos.operations == nil)
    }

    @Test func attemptsAreCountedPerMethodAndPathWithoutAContextAndCanBeReset() async throws {
        let inner = MockTransport.replying(Self.reply)
        let transport = FaultInjectingTransport(wrapping: inner, configuration: try Configuration(seed: 17, rates: [.refused: 0.5]))
        let post = TransportRequest(method: .post, url: "http://127.0.0.1:1/v1/pay?a=b")
        let get = TransportRequest(method: .get, url: "http://127.0.0.1:1/v1/pay#top")
        func run() async -> [Bool] {
            var refused: [Bool] = []
            for _ in 0..<20 {
                for request in [post, get] {
                    refused.append(await Self.send(request, through: transport, operation: nil).failure != nil)
                }
            }
            return refused
        }
        var predicted: [Bool] = []
        for attempt in 1...20 {
            for method in ["POST", "GET"] {
                predicted.append(transport.fault(for: RequestContext(operation: method, key: ""), path: "/v1/pay", attempt: attempt) == .refused)
            }
        }
        #expect(predicted.contains(true) && predicted.contains(false))
        #expect(await run() == predicted)
        transport.resetAttempts()
        #expect(await run() == predicted, "after resetAttempts, each request is attempt 1 again")
        let refusedCount = predicted.filter { $0 }.count
        #expect(transport.statistics == .init(requests: 80, injected: [.refused: 2 * refusedCount]))
        #expect(inner.requests.count == 80 - 2 * refusedCount)
    }

    @Test func theFaultDrawIgnoresQueryAndAuthority() {
        #expect(FaultInjectingTransport.path(of: "https://wallet.example:8443/v1/payments/pay?x=1#f") == "/v1/payments/pay")
        #expect(FaultInjectingTransport.path(of: "http://wallet.example") == "/")
        #expect(FaultInjectingTransport.path(of: "http://wallet.example?x=1") == "/")
        #expect(FaultInjectingTransport.path(of: "/relative/path?q") == "/relative/path")
    }

    @Test func messagesAndDescriptionsCarryNoBodiesOrHeaderValues() async throws {
        for fault in [Fault.refused, .replyLost, .resetMidReply] {
            let transport = try Self.always(fault, over: MockTransport.replying(Self.reply))
            let error = try #require(await Self.send(Self.request, through: transport).failure)
            #expect(error.message.hasSuffix("(injected)"))
            for secret in ["SECRET", "resultStatus", "ORDER-1"] {
                #expect(!error.description.contains(secret))
            }
        }
        let configuration = try #require(Configuration.profile("chaos", seed: 5))
        #expect(
            configuration.description
                == "seed 5; faults refused=0.02 reply-lost=0.03 reset-mid-reply=0.02 delay=0.02 duplicate=0.02 corrupt-body=0.015 corrupt-signature=0.015; delay 0.2 seconds; operations all"
        )
    }

    // MARK: End to end

    @Test func overCurlAReplyLostReachedTheServerWhileTheCallerGotATimeout() async throws {
        let server = try ScriptedHTTPServer(scripts: [[.answerEcho]])
        let body = Array(#"{"paymentRequestId":"ORDER-1"}"#.utf8)
        try await withCurlTransport { curl in
            let refusing = FaultInjectingTransport(wrapping: curl, configuration: try Configuration(seed: 1, rates: [.refused: 1]))
            let losing = FaultInjectingTransport(wrapping: curl, configuration: try Configuration(seed: 1, rates: [.replyLost: 1]))
            let request = TransportRequest(
                method: .post, url: server.baseURL + "/v1/payments/pay", headerFields: [.contentType: "application/json"], body: body)

            let refused = try #require(await Self.send(request, through: refusing).failure)
            #expect(refused.kind == .couldNotConnect)
            #expect(refused.mayHaveReachedServer == false)
            #expect(curl.statistics.transfers == 0, "a refused request never reaches curl")

            let lost = try #require(await Self.send(request, through: losing).failure)
            #expect(lost.kind == .timeout)
            #expect(lost.mayHaveReachedServer == true)
            #expect(curl.statistics.transfers == 1)
        }
        server.stop()
        #expect(
            server.seen == [
                .init(connection: 0, method: "POST", path: "/v1/payments/pay", bodyBytes: body.count, complete: true)
            ], "the server received and answered the request whose reply was lost")
    }
}

fileprivate extension Result {
    var success: Success? {
        if case .success(let value) = self { return value }
        return nil
    }

    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
