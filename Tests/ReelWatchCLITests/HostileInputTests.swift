import Crypto
import Foundation
import GRDB
import Testing

/// Input nobody should send, sent anyway: duration flags that only look like numbers, and a job store path
/// holding something that is not reelwatch's.
@Suite("reelwatch hostile input")
struct HostileInputTests {
    @Test(
        "a negative duration is a usage error naming the flag and the value, for every duration flag",
        arguments: [
            ["wait", "heygen:a", "--timeout", "-5s"], ["wait", "heygen:a", "--min-delay", "-1s"],
            ["wait", "heygen:a", "--max-delay", "-2m"], ["status", "heygen:a", "--request-timeout", "-500ms"],
            ["track", "check", "--max-delay", "-1h"], ["run", "--min-delay", "-5"],
        ])
    func negativeDuration(arguments: [String]) async throws {
        let run = try await CLI.run(arguments)
        let flag = arguments[arguments.count - 2]
        let value = arguments[arguments.count - 1]
        #expect(run.status == 2)
        #expect(
            run.stderr
                == "reelwatch: The value '\(value)' is invalid for '\(flag) <duration>': must not be negative (see 'reelwatch --help')\n"
        )
        #expect(run.stdout.isEmpty)
    }

    @Test(
        "a duration that only a number parser would take (hex, exponent, inf, a sign, a space) is a usage error",
        arguments: ["0x10s", "1e3s", "inf", "nan", "+5s", "5 s", ".5s", "5S", ""])
    func malformedDuration(value: String) async throws {
        let run = try await CLI.run(["wait", "heygen:a", "--timeout", value])
        #expect(run.status == 2)
        #expect(
            run.stderr
                == "reelwatch: The value '\(value)' is invalid for '--timeout <duration>': not a duration; write digits and a unit, e.g. 500ms, 5s, 1.5m or 1h (see 'reelwatch --help')\n"
        )
    }

    @Test("--timeout=-5s and --timeout -5s say the same")
    func attachedValue() async throws {
        let attached = try await CLI.run(["wait", "heygen:a", "--timeout=-5s"])
        let separate = try await CLI.run(["wait", "heygen:a", "--timeout", "-5s"])
        #expect(attached.status == 2)
        #expect(attached.stderr == separate.stderr)
    }

    static func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }
            .joined()
    }

    /// A home whose `reelwatch.sqlite` is another program's database in rollback-journal mode (SQLite's
    /// default), with a table and rows, closed.
    static func homeWithForeignDatabase() throws -> String {
        let home = TrackCommandTests.home()
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: home + "/reelwatch.sqlite")
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT, email TEXT);
                    INSERT INTO contacts (name, email) VALUES ('Ada', 'ada@example.com'), ('Grace', 'grace@example.com');
                    """)
        }
        try queue.close()
        return home
    }

    @Test(
        "another program's database as the store: exit 8 naming the file, the file byte for byte as it was, no -wal or -shm",
        arguments: [
            ["track", "list"], ["track", "add", "heygen:a"], ["track", "check"], ["track", "remove", "hera:b"],
        ])
    func foreignStore(arguments: [String]) async throws {
        let home = try Self.homeWithForeignDatabase()
        let path = home + "/reelwatch.sqlite"
        let hash = try Self.sha256(path)
        let run = try await CLI.run(arguments, environment: ["REELWATCH_HOME": home])
        #expect(run.status == 8)
        #expect(run.stderrLines.count == 1)
        #expect(
            run.stderr.hasPrefix(
                "reelwatch: the job store \(path): a SQLite database of another program (tables: contacts)"),
            "\(run.stderr)")
        #expect(try Self.sha256(path) == hash)
        #expect(try FileManager.default.contentsOfDirectory(atPath: home) == ["reelwatch.sqlite"])
    }

    @Test("a symbolic link as the store is refused (exit 8); the database it points to is left alone")
    func symlinkedStore() async throws {
        let elsewhere = try Self.homeWithForeignDatabase()
        let target = elsewhere + "/reelwatch.sqlite"
        let hash = try Self.sha256(target)
        let home = TrackCommandTests.home()
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: home + "/reelwatch.sqlite", withDestinationPath: target)
        let run = try await CLI.run(["track", "add", "heygen:a"], environment: ["REELWATCH_HOME": home])
        #expect(run.status == 8)
        #expect(
            run.stderr.hasPrefix(
                "reelwatch: the job store \(home)/reelwatch.sqlite: is a symbolic link (to \(target)), which reelwatch does not follow"
            ), "\(run.stderr)")
        #expect(try Self.sha256(target) == hash)
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere) == ["reelwatch.sqlite"])
    }

    @Test("a text file as the store: exit 8, not a SQLite database, left as it was")
    func textFileStore() async throws {
        let home = TrackCommandTests.home()
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let path = home + "/reelwatch.sqlite"
        try Data("these are my notes, not a database\n".utf8).write(to: URL(fileURLWithPath: path))
        let hash = try Self.sha256(path)
        let run = try await CLI.run(["track", "list", "--json"], environment: ["REELWATCH_HOME": home])
        #expect(run.status == 8)
        #expect(run.stderr.contains("\"code\":\"store_unavailable\""))
        #expect(run.stderr.contains("not a SQLite database"))
        #expect(try Self.sha256(path) == hash)
        #expect(try FileManager.default.contentsOfDirectory(atPath: home) == ["reelwatch.sqlite"])
    }
}
