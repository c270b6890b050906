import Foundation
import HTTPTypes
import Logging
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeTransport

/// A wall clock a test moves by hand (from the real time at creation).
final class ManualTime: @unchecked Sendable {
    private let lock = NSLock()
    private var offset: TimeInterval = 0
    private let origin = Date()

    var now: @Sendable () -> Date { { [self] in lock.withLock { origin.addingTimeInterval(offset) } } }
    func advance(_ seconds: TimeInterval) { lock.withLock { offset += seconds } }
}

/// The pieces of an authorization test: the sandbox, the client (with its adapter and counted
/// transport), and every log line the client wrote.
struct AuthorizationRig: Sendable {
    let sandbox: WalletSandbox
    let client: WalletClient
    let adapter: AlipayPlusAdapter
    let counting: CountingTransport
    let transport: CurlTransport
    let lines: LogLines
    let wallet: String

    /// POSTs `json` to a sandbox admin endpoint; returns the decoded JSON object.
    func admin(_ path: String, _ json: [String: String]) async throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: json)
        let response = try await transport.send(
            TransportRequest(
                method: .post, url: sandbox.baseURL + path, headerFields: [.contentType: "application/json"], body: Array(body),
                timeout: .seconds(5)))
        return (try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }

    /// GETs a sandbox URL; returns the status and body text.
    func get(_ url: String) async throws -> (Int, String) {
        let response = try await transport.send(TransportRequest(method: .get, url: url, timeout: .seconds(5)))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// Starts a binding and answers the consent page as `customer` would: the redirect URL.
    func consent(_ customer: String, state: String? = nil) async throws -> (AuthorizationStart, String) {
        let start = try await client.startAuthorization(
            AuthorizationRequest(customerID: "merchant-\(customer)", redirectURL: "https://merchant.example/bound", state: state))
        guard case .redirect(let url) = start.action,
            let session = URLComponents(string: url)?.queryItems?.first(where: { $0.name == "session" })?.value
        else {
            throw RigError("the consult gave no consent page: \(start.action)")
        }
        let answer = try await admin("/sandbox/consent/approve", ["session": session, "customer": customer])
        guard let redirect = answer["redirect"] as? String else { throw RigError("the consent page gave no redirect: \(answer)") }
        return (start, redirect)
    }

    /// Binds `customer`: start, consent, complete.
    func bind(_ customer: String) async throws -> CustomerAuthorization {
        let (start, redirect) = try await consent(customer)
        return try await client.completeAuthorization(try AuthorizationGrant(redirectURL: redirect), start: start)
    }

    /// The payment of `amount` with the stored authorization `handle`.
    func pay(_ handle: String, _ amount: Money, reference: String) async -> Result<PaymentResult, WalletError> {
        do throws(WalletError) {
            return .success(
                try await client.pay(
                    PaymentRequest(merchantReference: reference, amount: amount, authorization: handle, orderDescription: "Bound order")))
        } catch {
            return .failure(error)
        }
    }
}

/// Runs `body` against a fresh sandbox: its clock is `walletTime`, the client's (and the
/// adapter's) is `clientTime`; the profile's notify URL is `notifyURL`.
func withAuthorizationRig<T: Sendable>(
    wallet: String = "gcash", walletTime: ManualTime = ManualTime(), clientTime: ManualTime? = nil, margin: Duration = .seconds(300),
    notifyURL: String? = nil, _ body: (AuthorizationRig) async throws -> T
) async throws -> T {
    let clientClock = (clientTime ?? walletTime).now
    var configuration = WalletSandbox.Configuration()
    configuration.clock = walletTime.now
    let sandbox = try await WalletSandbox.start(configuration)
    let transport = try CurlTransport()
    do {
        var profile = try sandbox.clientProfile(wallet: wallet)
        profile.notifyURL = notifyURL
        let counting = CountingTransport(base: transport)
        let adapter = AlipayPlusAdapter(
            walletName: wallet, configuration: try AlipayPlusConfiguration(profile: profile), transport: counting, clock: clientClock)
        let lines = LogLines()
        var clientConfiguration = WalletClient.Configuration(clock: PolicyClock(clock: ContinuousClock(), now: clientClock))
        clientConfiguration.authorizationRefresh = AuthorizationRefreshPolicy(margin: margin)
        let client = WalletClient(
            adapter: adapter, logger: Logger(label: "test") { _ in LineCapturingLogHandler(lines: lines) }, configuration: clientConfiguration)
        let rig = AuthorizationRig(
            sandbox: sandbox, client: client, adapter: adapter, counting: counting, transport: transport, lines: lines, wallet: wallet)
        let result = try await body(rig)
        await transport.shutdown()
        await sandbox.shutdown()
        return result
    } catch {
        await transport.shutdown()
        await sandbox.shutdown()
        throw error
    }
}

/// Holds the client a webhook hands authorization notifications to (set once the rig is up),
/// and what it received.
actor AuthorizationInbox {
    var client: WalletClient?
    var received: [InboundNotification] = []
    var verified: [(notification: AuthorizationNotification, handle: String?)] = []
    var rejected: [WalletError] = []

    func use(_ client: WalletClient) { self.client = client }

    func handle(_ inbound: InboundNotification) async -> NotificationAcknowledgement {
        received.append(inbound)
        guard let client else { return NotificationAcknowledgement(status: 503, headerFields: [:], body: []) }
        do throws(WalletError) {
            let (verified, handle) = try await client.receiveAuthorizationNotification(inbound)
            self.verified.append((verified.notification, handle))
            return verified.acknowledgement
        } catch {
            rejected.append(error)
            return NotificationAcknowledgement(status: 400, headerFields: [:], body: [])
        }
    }
}

/// A rig step that did not go as the sandbox documents.
struct RigError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
