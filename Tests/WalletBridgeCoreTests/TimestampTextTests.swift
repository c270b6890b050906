import Foundation
import Testing
import WalletBridgeCore

@Suite("Timestamp text")
struct TimestampTextTests {
    @Test(arguments: [
        (1_795_000_000, 0, "2026-11-18T11:06:40+00:00"),
        (1_795_000_000, 7, "2026-11-18T18:06:40+07:00"),
        (1_795_000_000, 8, "2026-11-18T19:06:40+08:00"),
        (1_795_000_000, 13, "2026-11-19T00:06:40+13:00"),
        (1_795_000_000, -5, "2026-11-18T06:06:40-05:00"),
        (0, 0, "1970-01-01T00:00:00+00:00"),
    ])
    func formatsWithTheOffset(seconds: Int, offset: Int, expected: String) {
        #expect(TimestampText.iso8601(Date(timeIntervalSince1970: TimeInterval(seconds)), offsetHours: offset) == expected)
    }
}
