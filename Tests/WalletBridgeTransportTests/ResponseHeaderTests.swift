import HTTPTypes
import Testing
import WalletBridgeHTTP
import WalletBridgeTransport

/// How `CurlTransport` turns received header lines into `HTTPFields`.
@Suite("Response header fields")
struct ResponseHeaderTests {
    @Test func interimResponsesAreDroppedAndInvalidNamesSkipped() async throws {
        let raw =
            "HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nBad Name: dropped\r\nX-Multi: 1\r\nx-multi: 2\r\n"
            + "Content-Length: 2\r\n\r\nok"
        let server = try ScriptedHTTPServer(scripts: [[.answerRaw(Array(raw.utf8))]])
        try await withCurlTransport { transport in
            let response = try await transport.send(TransportRequest(method: .get, url: server.baseURL + "/headers"))
            #expect(response.status == 200)
            #expect(response.body == Array("ok".utf8))
            let multi = try #require(HTTPField.Name("X-Multi"))
            #expect(response.headerFields[values: multi] == ["1", "2"], "repeated fields kept in order, any case")
            #expect(response.headerFields.contains(try #require(HTTPField.Name("X-Interim"))) == false, "only the final response's fields")
            #expect(!response.headerFields.contains { $0.name.rawName.contains(" ") }, "a field whose name is not a token is skipped")
            #expect(response.headerFields.map(\.name.rawName) == ["Connection", "X-Multi", "x-multi", "Content-Length"])
        }
        server.stop()
    }

    @Test func tooManyHeaderFieldsFailTheRequestWithoutTrapping() async throws {
        let count = CurlTransferLimits.maxResponseHeaderFields + 1
        var raw = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
        for index in 0..<count { raw += "X-\(index): v\r\n" }
        raw += "\r\nok"
        let server = try ScriptedHTTPServer(scripts: [[.answerRaw(Array(raw.utf8))]])
        try await withCurlTransport { transport in
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(TransportRequest(method: .get, url: server.baseURL + "/many"))
            }
            #expect(error?.kind == .other)
            #expect(error?.message.contains("header fields") == true, "\(String(describing: error))")
            #expect(error?.mayHaveReachedServer == true)
        }
        server.stop()
    }
}

/// The transport's limit, restated (the constant is internal to `WalletBridgeTransport`).
enum CurlTransferLimits {
    static let maxResponseHeaderFields = 10_000
}
