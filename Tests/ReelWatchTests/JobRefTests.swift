import ReelWatch
import Testing

@Suite("Job references")
struct JobRefTests {
    @Test(
        "every provider prefix parses",
        arguments: [
            ("heygen:abc", ProviderAPI.v3), ("heygen-v1:abc", .v1), ("heygen-translate:abc-ur_ur-PK", .translate),
            ("heygen-translate-v2:abc-ur_ur-PK", .translateV2),
            ("hera:vid_1", .hera), ("HEYGEN:abc", .v3),
        ]
    )
    func parses(text: String, api: ProviderAPI) throws {
        let ref = try JobRef(parsing: text)
        #expect(ref.api == api)
        #expect(ref.description == "\(api.refPrefix):\(ref.id)")
    }

    @Test("IDs are opaque: colons and slashes are kept")
    func opaqueIDs() throws {
        let ref = try JobRef(parsing: "hera:a:b/c")
        #expect(ref.id == "a:b/c")
        #expect(BaseURL.encode(ref.id) == "a%3Ab%2Fc")
        #expect(BaseURL.encode("ü ?&=") == "%C3%BC%20%3F%26%3D")
    }

    @Test(
        "malformed refs say which and why",
        arguments: [
            ("abc", "expected PROVIDER:ID"), ("youtube:abc", "unknown provider 'youtube'"), (":abc", "empty provider"),
            ("heygen:", "is empty"), ("hera:a b", "spaces or control characters"),
            ("hera:a\u{7}", "spaces or control characters"),
        ]
    )
    func malformed(text: String, reason: String) throws {
        let error = try #require(throws: ReelWatchError.self) { try JobRef(parsing: text) }
        #expect(error.code == .invalidReference)
        #expect(error.message.contains(reason), "\(error.message)")
        #expect(!error.message.contains("\n"))
    }
}
