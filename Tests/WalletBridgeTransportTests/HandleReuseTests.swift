import HTTPTypes
import Testing
import WalletBridgeHTTP
import WalletBridgeTransport

/// `CurlTransport` keeps its easy handles configured between requests: nothing of one request
/// (method, body, URL) may leak into the next one that lands on the same handle.
@Suite("Easy handle reuse")
struct HandleReuseTests {
    @Test func methodsBodiesAndPathsNeverLeakIntoTheNextRequest() async throws {
        let steps = [ScriptedHTTPServer.Step](repeating: .answerEcho, count: 9)
        let server = try ScriptedHTTPServer(scripts: [steps])
        let sent: [(HTTPRequest.Method, String, Int)] = [
            (.put, "/a", 5), (.get, "/b", 0), (.post, "/c", 3), (.post, "/c", 0), (.delete, "/d", 0),
            (.get, "/e", 2), (.post, "/f", 4), (.get, "/g?q=1", 0), (.patch, "/h", 1),
        ]
        try await withCurlTransport { transport in
            for (method, path, bytes) in sent {
                let response = try await transport.send(
                    TransportRequest(method: method, url: server.baseURL + path, body: [UInt8](repeating: 0x61, count: bytes)))
                #expect(String(decoding: response.body, as: UTF8.self) == "\(path) \(bytes)")
            }
            #expect(transport.statistics.connectionsOpened == 1, "one handle, one connection, every shape")
        }
        server.stop()
        let seen = server.seen
        #expect(seen.map(\.method) == sent.map { $0.0.rawValue })
        #expect(seen.map(\.path) == sent.map(\.1))
        #expect(seen.map(\.bodyBytes) == sent.map(\.2))
    }
}
