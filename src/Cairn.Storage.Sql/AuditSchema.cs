namespace Cairn.Storage.Sql;

/// <summary>The audit log (one text for SQLite and PostgreSQL).</summary>
/// <remarks>
/// <c>audit_append_lock</c> holds one row that every append locks first (FOR UPDATE on PostgreSQL;
/// SQLite's write transaction already excludes other writers), so that reading the last entry and
/// writing the next one is atomic even while the log is still empty. It is schema, not data:
/// <c>cairn migrate</c> copies <c>audit_log</c> only.
/// </remarks>
public static class AuditSchema
{
    /// <summary>What the migration adds, as the schema history shows it.</summary>
    public const string Description = "security: the hash-chained audit log of changing requests";

    /// <summary>The migration.</summary>
    public const string Sql = """
        CREATE TABLE audit_log (
            seq BIGINT PRIMARY KEY,
            event_time BIGINT NOT NULL,
            username TEXT,
            remote_address TEXT,
            method TEXT NOT NULL,
            path TEXT NOT NULL,
            resources TEXT NOT NULL,
            status_code BIGINT NOT NULL,
            previous_hash TEXT NOT NULL,
            hash TEXT NOT NULL);
        CREATE INDEX ix_audit_log_time ON audit_log (event_time);
        CREATE INDEX ix_audit_log_user ON audit_log (username, event_time);
        CREATE TABLE audit_append_lock (id BIGINT PRIMARY KEY);
        INSERT INTO audit_append_lock (id) VALUES (1);
        """;
}
