import Foundation
import ReelWatch
import Testing

/// Reads fixture files copied from the provider documents in `shared/seeds`.
enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    /// Decodes the fixture `name` as the answer to `ref` with the adapter of its API.
    static func snapshot(_ name: String, ref: String, httpStatus: Int = 200) throws -> JobSnapshot {
        try decode(bytes(name), ref: ref, httpStatus: httpStatus)
    }

    /// Decodes `json` as the answer to `ref`.
    static func decode(_ json: String, ref: String, httpStatus: Int = 200) throws -> JobSnapshot {
        try decode(Array(json.utf8), ref: ref, httpStatus: httpStatus)
    }

    static func decode(_ bytes: [UInt8], ref text: String, httpStatus: Int) throws -> JobSnapshot {
        let ref = try JobRef(parsing: text)
        let body = try JSONValue.parse(bytes)
        return try ref.api.adapter.snapshot(from: body, ref: ref, httpStatus: httpStatus)
    }

    static func date(_ unix: Double) -> Date { Date(timeIntervalSince1970: unix) }
}
