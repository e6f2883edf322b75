import GRDB
import ReelWatch

/// The store's schema: every migration since the first version, and the check that a file is a reelwatch store.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE job (
                        ref TEXT PRIMARY KEY NOT NULL,
                        label TEXT,
                        meta TEXT NOT NULL DEFAULT '{}',
                        added_at DOUBLE NOT NULL,
                        updated_at DOUBLE NOT NULL,
                        state TEXT,
                        snapshot TEXT,
                        phase TEXT NOT NULL DEFAULT 'polling',
                        next_poll_at DOUBLE NOT NULL,
                        polls INTEGER NOT NULL DEFAULT 0,
                        download_dir TEXT,
                        files_planned INTEGER NOT NULL DEFAULT 0,
                        last_error TEXT
                    );
                    CREATE INDEX job_due ON job (next_poll_at) WHERE phase = 'polling';
                    CREATE INDEX job_phase ON job (phase);
                    CREATE TABLE transition (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        ref TEXT NOT NULL REFERENCES job (ref) ON DELETE CASCADE,
                        state TEXT NOT NULL,
                        provider_status TEXT,
                        at DOUBLE NOT NULL
                    );
                    CREATE INDEX transition_ref ON transition (ref, id);
                    CREATE TABLE file (
                        ref TEXT NOT NULL REFERENCES job (ref) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        path TEXT NOT NULL,
                        status TEXT NOT NULL DEFAULT 'pending',
                        bytes INTEGER,
                        sha256 TEXT,
                        error TEXT,
                        updated_at DOUBLE NOT NULL,
                        PRIMARY KEY (ref, name)
                    );
                    CREATE TABLE reelwatch_store (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    INSERT INTO reelwatch_store (key, value) VALUES ('application', 'reelwatch');
                    """
            )
        }
        // v2: when a job's links expire, so that `run --refresh-links` finds those about to.
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    ALTER TABLE job ADD COLUMN links_expire_at DOUBLE;
                    CREATE INDEX job_links ON job (links_expire_at) WHERE state = 'succeeded';
                    """
            )
        }
        // v3: files found by path, so that a path another job's file holds is given a numbered one.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: "CREATE INDEX file_path ON file (path)")
        }
        // v4: polls made in the backoff phase of a job's schedule, so that its backoff continues after a restart.
        migrator.registerMigration("v4") { db in
            try db.execute(sql: "ALTER TABLE job ADD COLUMN backoff_polls INTEGER NOT NULL DEFAULT 0")
        }
        // v5: `heygen-translate:` now names HeyGen's v3 translation API; translations tracked before were
        // followed through v2, and keep it as `heygen-translate-v2:` (their snapshots too).
        migrator.registerMigration("v5") { db in
            let old = "heygen-translate:"
            let renamed = "'heygen-translate-v2:' || substr(ref, \(old.count + 1))"
            let isOld = "substr(ref, 1, \(old.count)) = '\(old)'"
            try db.execute(
                sql: """
                    UPDATE job SET ref = \(renamed),
                        snapshot = replace(replace(snapshot, '"ref":"\(old)', '"ref":"heygen-translate-v2:'),
                            '"api":"translate"', '"api":"translate-v2"')
                        WHERE \(isOld);
                    UPDATE transition SET ref = \(renamed) WHERE \(isOld);
                    UPDATE file SET ref = \(renamed) WHERE \(isOld);
                    """
            )
        }
        // v6: webhook events received, by their provider-given ID, so that a redelivery is recognised.
        migrator.registerMigration("v6") { db in
            try db.execute(
                sql: """
                    CREATE TABLE webhook_event (
                        event_id TEXT PRIMARY KEY NOT NULL,
                        event_type TEXT NOT NULL,
                        ref TEXT,
                        received_at DOUBLE NOT NULL
                    )
                    """
            )
        }
        // v7: a leased job keeps the time it was due (its next poll time is the lease meanwhile), so that the next
        // worker reclaims the leases of one that died and polls those jobs at once instead of when the leases end.
        migrator.registerMigration("v7") { db in
            try db.execute(sql: "ALTER TABLE job ADD COLUMN leased_due DOUBLE")
        }
        // v8: the refs a job was renamed from (a retired legacy route's job followed on its successor), so that the
        // old ref still finds it.
        migrator.registerMigration("v8") { db in
            try db.execute(
                sql: """
                    CREATE TABLE job_alias (old_ref TEXT PRIMARY KEY NOT NULL, ref TEXT NOT NULL);
                    CREATE INDEX job_alias_ref ON job_alias (ref);
                    """
            )
        }
        return migrator
    }

    /// Refuses a database that holds another program's tables, or migrations this reelwatch does not know.
    static func check(_ db: Database, path: String) throws {
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        guard !tables.isEmpty else { return }
        guard tables.contains("reelwatch_store"), tables.contains("grdb_migrations") else {
            throw StoreCorruption(
                message: "a SQLite database of another program (tables: \(tables.prefix(5).joined(separator: ", ")))")
        }
        let known = Set(migrator.migrations)
        let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        if let unknown = applied.first(where: { !known.contains($0) }) {
            throw StoreCorruption(message: "written by a newer reelwatch (schema \(unknown)); upgrade reelwatch")
        }
    }
}
