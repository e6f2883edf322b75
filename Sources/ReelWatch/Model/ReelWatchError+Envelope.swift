extension ReelWatchError {
    /// The error as the JSON object every front-end reports it in: `{"error": {code, message, hint, ref}}`.
    ///
    /// - Parameter hint: the advice to show (the front-end's own, for its commands or tools); nil for none.
    public func envelope(hint: String?) -> JSONValue {
        [
            "error": [
                "code": .string(code.description), "message": .string(message),
                "hint": .optional(hint), "ref": .optional(ref?.description),
            ]
        ]
    }
}
