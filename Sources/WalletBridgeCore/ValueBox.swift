/// Copy-on-write storage for a value type whose fields are many: the value is one reference
/// wide, so that the async frames it is copied through (every middleware's, for each payment
/// in flight) stay small. Mutation copies the fields first when the box is shared.
final class ValueBox<Fields: Sendable>: @unchecked Sendable {
    // Safe to share across threads: `fields` is only written through
    // `ValueBox.unique(_:)`, when this box is the only reference (copy-on-write).
    var fields: Fields

    init(_ fields: Fields) { self.fields = fields }

    /// `box` itself when no other value shares it, otherwise a copy to write to.
    static func unique(_ box: inout ValueBox<Fields>) -> ValueBox<Fields> {
        if !isKnownUniquelyReferenced(&box) { box = ValueBox(box.fields) }
        return box
    }
}
