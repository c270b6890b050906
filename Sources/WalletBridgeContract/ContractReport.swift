import Foundation

/// How one scenario went.
public struct ContractCaseResult: Sendable, Equatable {
    /// How it ended.
    public enum Outcome: String, Sendable, Equatable {
        /// Every expectation held.
        case passed
        /// An expectation failed (twice, when re-run).
        case failed
        /// It failed once and passed when re-run.
        case flaky
        /// Not applicable to this wallet (the reason is in ``ContractCaseResult/problems``).
        case skipped
    }

    /// The scenario id.
    public var id: String
    /// Its one-line purpose.
    public var purpose: String
    /// How it ended.
    public var outcome: Outcome
    /// What failed, or why it was skipped.
    public var problems: [String]
    /// The redacted exchanges of the run (method, path, status).
    public var transcript: [String]
    /// How long it took.
    public var duration: Duration
    /// The command that re-runs this scenario alone.
    public var reproduce: String
    /// What the run could not check in this mode (a ledger it cannot see, a reply replayed
    /// again), though the scenario passed.
    public var notes: [String] = []
}

/// The results of a run for one wallet, as a table, JUnit XML or JSON.
public struct ContractReport: Sendable, Equatable {
    /// The wallet.
    public var wallet: String
    /// One result per scenario (the declaration check first).
    public var results: [ContractCaseResult]

    /// The scenarios that failed.
    public var failed: [ContractCaseResult] { results.filter { $0.outcome == .failed } }

    /// Total time.
    public var duration: Duration { results.reduce(.zero) { $0 + $1.duration } }

    /// A readable table: one line per scenario, problems indented under it.
    public var table: String {
        var lines: [String] = []
        for result in results {
            let mark: String
            switch result.outcome {
            case .passed: mark = "pass"
            case .failed: mark = "FAIL"
            case .flaky: mark = "flaky"
            case .skipped: mark = "skip"
            }
            lines.append(
                "\(mark.padding(toLength: 6, withPad: " ", startingAt: 0)) \(result.id.padding(toLength: 36, withPad: " ", startingAt: 0)) \(Self.seconds(result.duration)) s  \(result.purpose)"
            )
            if result.outcome != .passed {
                lines += result.problems.map { "         \($0)" }
            }
            lines += result.notes.map { "         note: \($0)" }
            if result.outcome == .failed {
                lines += result.transcript.prefix(12).map { "         | \($0)" }
                lines.append("         rerun: \(result.reproduce)")
            }
        }
        let counts = [ContractCaseResult.Outcome.passed, .failed, .flaky, .skipped].map { outcome in
            "\(results.filter { $0.outcome == outcome }.count) \(outcome.rawValue)"
        }
        lines.append("\(wallet): \(counts.joined(separator: ", ")) in \(Self.seconds(duration)) s")
        return lines.joined(separator: "\n")
    }

    static func seconds(_ duration: Duration) -> String {
        let parts = duration.components
        return String(format: "%.2f", Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }

    /// JUnit XML: one `testsuite` per wallet, one `testcase` per scenario; a failure carries
    /// its problems, the redacted transcript and the command that reruns it.
    public var junit: String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
        }
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<testsuites name="walletbridge contract">"# + "\n"
        xml +=
            "  <testsuite name=\"\(escape(wallet))\" tests=\"\(results.count)\" failures=\"\(failed.count)\" skipped=\"\(results.filter { $0.outcome == .skipped }.count)\" time=\"\(Self.seconds(duration))\">\n"
        for result in results {
            xml += "    <testcase classname=\"contract.\(escape(wallet))\" name=\"\(escape(result.id))\" time=\"\(Self.seconds(result.duration))\">\n"
            switch result.outcome {
            case .failed:
                let detail = (result.problems + ["transcript:"] + result.transcript + ["rerun: \(result.reproduce)"]).joined(separator: "\n")
                xml += "      <failure message=\"\(escape(result.problems.first ?? "failed"))\">\(escape(detail))</failure>\n"
            case .skipped:
                xml += "      <skipped message=\"\(escape(result.problems.first ?? "not applicable"))\"/>\n"
            case .flaky:
                xml += "      <system-out>\(escape(result.problems.joined(separator: "\n")))</system-out>\n"
            case .passed:
                if !result.notes.isEmpty { xml += "      <system-out>\(escape(result.notes.joined(separator: "\n")))</system-out>\n" }
            }
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    /// The results as a JSON object (`wallet`, `results` with `id`, `outcome`, `problems`,
    /// `seconds`, `reproduce`, `transcript`, `notes`).
    public var json: [String: Any] {
        [
            "wallet": wallet,
            "results": results.map { result -> [String: Any] in
                [
                    "id": result.id, "purpose": result.purpose, "outcome": result.outcome.rawValue, "problems": result.problems,
                    "seconds": Double(Self.seconds(result.duration)) ?? 0, "reproduce": result.reproduce, "transcript": result.transcript,
                    "notes": result.notes,
                ]
            },
        ]
    }
}
