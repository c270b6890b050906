import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import PostgresNIO
import Testing
import WalletBridgeCore
import WalletBridgePostgres

/// Runs Tests/Postgres/pg_cluster.sh with `command` on the cluster in `directory`; its output.
///
/// The output goes to a file, never a pipe (the server the script starts in the background could
/// inherit a pipe's write end and keep it open). Runs on a thread of its own: it blocks until
/// the script exits.
private func cluster(_ command: String, directory: String) async throws -> String {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
        Thread.detachNewThread {
            continuation.resume(with: Result { try runCluster(command, directory: directory) })
        }
    }
}

private func runCluster(_ command: String, directory: String) throws -> String {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Postgres/pg_cluster.sh").path
    let outputPath = directory + ".out"
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    // Every descriptor above 2 is closed before the script runs: the server it starts would
    // otherwise inherit this process's sockets (postgres-nio's connections), and an inherited
    // copy keeps a closed socket's epoll registration alive in this process, so NIO never sees
    // events on the new connection that reuses the number (the hang this test once had).
    let closeInherited = #"for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null; "#
    let argv = [
        "/bin/bash", "-c", closeInherited + #"PG_CLUSTER_DIR="$1" exec /bin/bash "$2" "$3" >"$4" </dev/null"#, "pg_cluster", directory, script,
        command, outputPath,
    ]
    var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { for argument in cArguments { free(argument) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/bin/bash", nil, nil, &cArguments, environ)
    guard spawned == 0 else { throw JournalError("pg_cluster.sh \(command) could not be started (\(spawned))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        guard errno == EINTR else { throw JournalError("waitpid failed for pg_cluster.sh \(command) (\(errno))") }
    }
    // WIFEXITED and WEXITSTATUS, spelled out (the macros are not imported).
    guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else { throw JournalError("pg_cluster.sh \(command) ended with status \(status)") }
    let data = FileManager.default.contents(atPath: outputPath) ?? Data()
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
        .timeLimit(.minutes(2)))
    func restartSurvived() async throws {
        // Its own cluster: restarting the shared one would break the tests running beside it.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walletbridge-pg-restart-\(UUID().uuidString)").path
        let url = try await cluster("start", directory: directory)
        defer { _ = try? runCluster("stop", directory: directory) }
        // A short deadline: an operation caught by the restart may never be answered by the client
        // (postgres-nio 1.33); it must fail with a JournalError instead of hanging.
        try await TestPostgres.withStorages(url: url, operationTimeout: .seconds(5)) { storages in
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
                    _ = try await cluster("restart", directory: directory)
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
