import HTTPTypes
import Testing
import WalletBridgeHTTP

@Suite struct TransportRequestTests {
    @Test func splitsAnAbsoluteURL() {
        let request = TransportRequest(method: .post, url: "https://api.example.com:8443/v1/payments/pay?mid=M1&x=%20y")
        #expect(request.head.scheme == "https")
        #expect(request.head.authority == "api.example.com:8443")
        #expect(request.head.path == "/v1/payments/pay?mid=M1&x=%20y")
        #expect(request.url == "https://api.example.com:8443/v1/payments/pay?mid=M1&x=%20y")
        #expect(request.method == .post)
    }

    @Test func urlWithoutPathGetsSlash() {
        let bare = TransportRequest(method: .get, url: "http://127.0.0.1:8080")
        #expect(bare.head.authority == "127.0.0.1:8080")
        #expect(bare.head.path == "/")
        #expect(bare.url == "http://127.0.0.1:8080/")

        let queryOnly = TransportRequest(method: .get, url: "http://host?a=1")
        #expect(queryOnly.head.authority == "host")
        #expect(queryOnly.head.path == "/?a=1")

        let fragment = TransportRequest(method: .get, url: "http://host/p?q=1#section")
        #expect(fragment.head.path == "/p?q=1")
    }

    @Test func unparseableURLDoesNotTrap() {
        for text in ["", "not a url", "://nohost/path", "http:///path", "1http://host/", "ftp//x", "\u{0}://\n"] {
            let request = TransportRequest(method: .get, url: text)
            #expect(request.head.scheme == nil, "\(text)")
            #expect(request.head.authority == nil, "\(text)")
        }
        #expect(TransportRequest(method: .get, url: "not a url").url == "not a url")
        #expect(TransportRequest(method: .get, url: "/relative/path?x=1").url == "/relative/path?x=1")
    }

    @Test func descriptionNamesNoHeaderValueOrBody() throws {
        let secret = "Bearer s3cr3t-t0ken"
        let name = try #require(HTTPField.Name("X-Signature"))
        let request = TransportRequest(
            method: .post, url: "https://api.example.com/pay",
            headerFields: [.authorization: secret, name: "sig-value-123"],
            body: Array(#"{"card":"4111"}"#.utf8))
        let text = "\(request)"
        #expect(text == "POST https://api.example.com/pay (2 headers, 15 body bytes)")
        #expect(!text.contains("s3cr3t") && !text.contains("sig-value") && !text.contains("4111"))
        #expect(!String(describing: request).contains("s3cr3t"))

        let response = TransportResponse(status: 200, headerFields: [name: "sig-value-123"], body: Array("secret body".utf8))
        #expect("\(response)" == "HTTP 200 (11 body bytes)")
    }

    @Test func lookupsIgnoreCase() throws {
        let sent = try #require(HTTPField.Name("Client-Id"))
        let lower = try #require(HTTPField.Name("client-id"))
        let upper = try #require(HTTPField.Name("CLIENT-ID"))
        let response = TransportResponse(status: 200, headerFields: [lower: "C1"])
        #expect(response.headerFields[sent] == "C1")
        #expect(response.headerFields[upper] == "C1")
        #expect(response.headerFields.contains(sent))
        // The name keeps the spelling it was made with, for sending.
        #expect(response.headerFields.first?.name.rawName == "client-id")
    }

    @Test func responseStatus() {
        var response = TransportResponse(status: 429, headerFields: [.retryAfter: "2"])
        #expect(response.status == 429)
        #expect(response.head.status == .tooManyRequests)
        response.status = 200
        #expect(response.status == 200)
        // Codes no status line can carry are clamped, never a trap.
        #expect(TransportResponse(status: -1).status == 0)
        #expect(TransportResponse(status: 1000).status == 999)
    }
}
