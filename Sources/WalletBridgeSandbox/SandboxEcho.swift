/// `POST /sandbox/echo`: the cheapest request the sandbox answers, for transport benchmarks
/// (`walletbridge bench transport`): it reads the body and replies `{"bytes":N}`, touching no
/// wallet, ledger or fault plan.
enum SandboxEcho {
    static let path = "/sandbox/echo"

    static func reply(to request: SandboxRequest) -> SandboxReply {
        .json(200, Array("{\"bytes\":\(request.body.count)}".utf8))
    }
}
