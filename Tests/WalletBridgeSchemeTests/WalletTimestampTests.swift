import Foundation
import Testing
import WalletBridgeCore
@testable import WalletBridgePaytm

/// Each wallet's completion time read into an instant: the CLI prints it as RFC 3339 UTC.
@Suite struct WalletTimestampTests {
    static let instant = Date(timeIntervalSince1970: 1_795_918_908)  // 2026-11-29T02:21:48Z

    @Test func paytmTimesAreIndiaStandardTimeWithoutAZone() {
        #expect(PaytmTimestamp.parse("2026-11-29 07:51:48.0") == Self.instant)
        #expect(PaytmTimestamp.parse("2026-11-29 07:51:48") == Self.instant)
        #expect(PaytmTimestamp.parse("2026-11-29 07:51:48.123456") == Self.instant)
        for bad in ["", "2026-11-29T07:51:48.0", "2026-11-29 07:51:48.", "2026-11-29 07:51:48.x", "2026-02-30 07:51:48.0", "29-11-2026 07:51:48.0"] {
            #expect(PaytmTimestamp.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func alipayPlusAndSNAPTimesCarryTheirOffset() {
        #expect(TimestampText.parse("2026-11-29T10:21:48+08:00") == Self.instant)
        #expect(TimestampText.parse("2026-11-29T09:21:48+07:00") == Self.instant)
        #expect(TimestampText.parse("2026-11-29T02:21:48+00:00") == Self.instant)
        #expect(TimestampText.parse("2026-11-29 09:21:48+07:00") == nil)
    }
}
