import Foundation
import WalletBridgeCore
import WalletBridgeSandbox
import HTTPTypes
import WalletBridgeHTTP
import WalletBridgeTransport

/// The wallet as one scenario sees it, whatever the ``ContractTarget``: the profile to reach
/// it, its clock, and what the harness may do to it (queue faults, read the ledger, receive
/// notifications), or why not.
protocol ContractWalletSide: Sendable {
    /// The client profile for the adapter under test.
    var profile: PartnerProfile { get }
    /// The wallet's clock (signed times are checked against it).
    var clock: @Sendable () -> Date { get }
    /// Wallet seconds per second.
    var timeScale: Double { get }
    /// Why wallet-side faults cannot be injected; nil when they can.
    var noFaults: String? { get }
    /// Why the ledger cannot be read; nil when it can.
    var noLedger: String? { get }
    /// Why notifications cannot reach the harness; nil when they can.
    var noNotifications: String? { get }
    /// Queues the sandbox fault `name` for `count` requests of `operation`.
    func injectFault(_ name: String, operation: String, count: Int) async throws
    /// The wallet's ledger.
    func ledger() async throws -> [SandboxLedgerEntry]
    /// Ends the scenario's use of the wallet.
    func stop() async
}

/// A fresh sandbox in this process.
struct EmbeddedWalletSide: ContractWalletSide {
    let sandbox: WalletSandbox
    let wallet: String
    let profile: PartnerProfile
    var clock: @Sendable () -> Date { sandbox.clock }
    var timeScale: Double { sandbox.timeScale }
    var noFaults: String? { nil }
    var noLedger: String? { nil }
    var noNotifications: String? { nil }

    static func start(
        wallet: String, snapMode: String, timeScale: Double, emulations: [any SandboxWalletEmulation]
    ) async throws -> EmbeddedWalletSide {
        var configuration = WalletSandbox.Configuration()
        configuration.timeScale = timeScale
        configuration.emulations = emulations
        configuration.notificationRetryInterval = .seconds(1)
        let sandbox = try await WalletSandbox.start(configuration)
        do {
            return EmbeddedWalletSide(sandbox: sandbox, wallet: wallet, profile: try sandbox.clientProfile(wallet: wallet, snapMode: snapMode))
        } catch {
            await sandbox.shutdown()
            throw error
        }
    }

    func injectFault(_ name: String, operation: String, count: Int) async throws {
        guard let fault = SandboxFault(name: name) else { throw ContractError("no sandbox fault \(name)") }
        sandbox.injectFault(fault, operation: operation, wallet: wallet, count: count)
    }

    func ledger() async throws -> [SandboxLedgerEntry] { sandbox.ledgerSnapshot(wallet: wallet) }

    func stop() async { await sandbox.shutdown() }
}

/// A standalone sandbox, driven through its admin endpoints.
struct EndpointWalletSide: ContractWalletSide {
    let baseURL: String
    let wallet: String
    let profile: PartnerProfile
    let clock: @Sendable () -> Date
    let timeScale: Double
    let admin: CurlTransport
    var noFaults: String? { nil }
    var noLedger: String? { nil }
    var noNotifications: String? { nil }

    /// Reads the sandbox's clock and clears faults a previous scenario left queued.
    static func start(baseURL: String, wallet: String, snapMode: String) async throws -> EndpointWalletSide {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let admin = try CurlTransport(configuration: CurlTransportConfiguration(connectTimeout: .seconds(2), requestTimeout: .seconds(10)))
        do {
            _ = try await call(admin, .delete, base + "/sandbox/faults")
            let asked = Date()
            let body = try await call(admin, .get, base + "/sandbox/clock")
            struct Clock: Decodable { var nowMillis: Int64; var timeScale: Double }
            guard let read = try? JSONDecoder().decode(Clock.self, from: Data(body)) else {
                throw ContractError("\(base)/sandbox/clock did not answer {\"nowMillis\", \"timeScale\"}: is it a WalletBridge sandbox?")
            }
            let origin = Date(timeIntervalSince1970: Double(read.nowMillis) / 1000), scale = read.timeScale
            let clock: @Sendable () -> Date = { origin.addingTimeInterval(Date().timeIntervalSince(asked) * scale) }
            let profile = try WalletSandbox.clientProfile(wallet: wallet, baseURL: base, snapMode: snapMode)
            return EndpointWalletSide(baseURL: base, wallet: wallet, profile: profile, clock: clock, timeScale: scale, admin: admin)
        } catch {
            await admin.shutdown()
            throw error
        }
    }

    static func call(_ transport: CurlTransport, _ method: HTTPRequest.Method, _ url: String, body: [UInt8] = []) async throws -> [UInt8] {
        let fields: HTTPFields = body.isEmpty ? [:] : [.contentType: "application/json"]
        let response = try await transport.send(TransportRequest(method: method, url: url, headerFields: fields, body: body))
        guard response.status == 200 else {
            throw ContractError("\(method) \(url) answered HTTP \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        return response.body
    }

    func injectFault(_ name: String, operation: String, count: Int) async throws {
        struct FaultRequest: Encodable { var fault: String; var wallet: String; var operation: String; var count: Int }
        let body = try JSONEncoder().encode(FaultRequest(fault: name, wallet: wallet, operation: operation, count: count))
        _ = try await Self.call(admin, .post, baseURL + "/sandbox/faults", body: Array(body))
    }

    func ledger() async throws -> [SandboxLedgerEntry] {
        let body = try await Self.call(admin, .get, baseURL + "/sandbox/ledger?wallet=" + wallet)
        do {
            return try JSONDecoder().decode([SandboxLedgerEntry].self, from: Data(body))
        } catch {
            throw ContractError("\(baseURL)/sandbox/ledger is not a ledger: \(error)")
        }
    }

    func stop() async { await admin.shutdown() }
}

/// The wallet's own sandbox: nothing but its API.
struct LiveWalletSide: ContractWalletSide {
    let profile: PartnerProfile
    var clock: @Sendable () -> Date { { Date() } }
    var timeScale: Double { 1 }
    var noFaults: String? { "live: wallet-side faults cannot be injected into the wallet's own sandbox" }
    var noLedger: String? { "live: the wallet's ledger is not visible to the harness" }
    var noNotifications: String? { "live: the wallet sends notifications to the notify URL of its own set-up, not to the harness" }

    func injectFault(_ name: String, operation: String, count: Int) async throws {
        throw ContractError(noFaults ?? "")
    }

    func ledger() async throws -> [SandboxLedgerEntry] { throw ContractError(noLedger ?? "") }

    func stop() async {}
}
