import Foundation

/// An append-only record of what this instance did (`--events FILE`): one JSON object per
/// line, for audits and for the scale-out test, which reads every instance's file to prove
/// that no notification was applied twice and to find the payments a killed instance left
/// open. Each line is one `write(2)` on a file opened with `O_APPEND`, so several processes may
/// share a file, and a line written before a SIGKILL survives it.
///
/// Lines (`event`): `pay-accepted` (before `pay`), `pay-answered` (with `status` and `final`),
/// `notification` (with `disposition`: `apply`, `duplicate`, `unconfirmed` or `rejected`; the
/// notification's `kind`, `key`, `status`, and `fulfils` when it fulfils the order).
/// References and statuses only: never a credential, signature or body.
final class MerchantEvents: Sendable {
    private let descriptor: Int32?
    private let instance: String

    /// Appends to `path` (created when missing); nil records nothing.
    init(path: String?, instance: String) throws {
        self.instance = instance
        guard let path else {
            descriptor = nil
            return
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MerchantServerError("--events \(path): cannot open (errno \(errno))") }
        descriptor = fd
    }

    deinit {
        if let descriptor { close(descriptor) }
    }

    /// Appends one line: `fields` plus the event name, the instance and the time.
    func record(_ event: String, _ fields: [String: EventValue]) {
        guard let descriptor else { return }
        var object = fields
        object["event"] = .text(event)
        object["instance"] = .text(instance)
        object["at"] = .number(Date().timeIntervalSince1970)
        let line = Array((Self.render(object) + "\n").utf8)
        line.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// A field's value.
    enum EventValue: Sendable {
        case text(String)
        case number(Double)
        case flag(Bool)
    }

    static func render(_ object: [String: EventValue]) -> String {
        let fields = object.sorted { $0.key < $1.key }.map { key, value -> String in
            let rendered: String
            switch value {
            case .text(let text): rendered = quoted(text)
            case .number(let number): rendered = String(format: "%.3f", number)
            case .flag(let flag): rendered = flag ? "true" : "false"
            }
            return quoted(key) + ":" + rendered
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func quoted(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }
}
