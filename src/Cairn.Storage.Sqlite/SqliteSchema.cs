using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>
/// Versioned schema migrations. Each entry runs once, in order, in its own transaction, and is
/// recorded in schema_migrations; a database newer than this build is refused rather than damaged.
/// Append new migrations; never edit one that has shipped.
/// </summary>
public static class SqliteSchema
{
    private static readonly (int Version, string Description, string Sql)[] Migrations =
    [
        (1, "tracking: experiments, runs, metrics, params, tags", """
            CREATE TABLE experiments (
                experiment_id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                artifact_location TEXT NOT NULL,
                lifecycle_stage TEXT NOT NULL DEFAULT 'active',
                creation_time INTEGER NOT NULL,
                last_update_time INTEGER NOT NULL);
            CREATE TABLE experiment_tags (
                experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (experiment_id, key));
            CREATE TABLE runs (
                id INTEGER PRIMARY KEY,
                run_uuid TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
                user_id TEXT NOT NULL,
                status TEXT NOT NULL,
                start_time INTEGER NOT NULL,
                end_time INTEGER,
                artifact_uri TEXT NOT NULL,
                lifecycle_stage TEXT NOT NULL DEFAULT 'active',
                deleted_time INTEGER);
            CREATE INDEX ix_runs_experiment_start ON runs (experiment_id, start_time DESC);
            CREATE TABLE metrics (
                run_id INTEGER NOT NULL,
                key TEXT NOT NULL,
                value REAL NOT NULL,
                timestamp INTEGER NOT NULL,
                step INTEGER NOT NULL,
                is_nan INTEGER NOT NULL);
            CREATE INDEX ix_metrics_history ON metrics (run_id, key, step, timestamp);
            CREATE TABLE latest_metrics (
                run_id INTEGER NOT NULL,
                key TEXT NOT NULL,
                value REAL NOT NULL,
                timestamp INTEGER NOT NULL,
                step INTEGER NOT NULL,
                is_nan INTEGER NOT NULL,
                PRIMARY KEY (run_id, key)) WITHOUT ROWID;
            CREATE INDEX ix_latest_metrics_key_value ON latest_metrics (key, value);
            CREATE TABLE params (
                run_id INTEGER NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (run_id, key)) WITHOUT ROWID;
            CREATE INDEX ix_params_key_value ON params (key, value);
            CREATE TABLE tags (
                run_id INTEGER NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (run_id, key)) WITHOUT ROWID;
            CREATE INDEX ix_tags_key_value ON tags (key, value);
            """),
        (2, "registry: registered models, versions, aliases, tags, audit trail", """
            CREATE TABLE registered_models (
                name TEXT PRIMARY KEY,
                creation_time INTEGER NOT NULL,
                last_updated_time INTEGER NOT NULL,
                user_id TEXT,
                description TEXT);
            CREATE TABLE registered_model_tags (
                name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (name, key));
            CREATE TABLE model_versions (
                name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
                version INTEGER NOT NULL,
                creation_time INTEGER NOT NULL,
                last_updated_time INTEGER NOT NULL,
                user_id TEXT,
                current_stage TEXT NOT NULL DEFAULT 'None',
                description TEXT,
                source TEXT NOT NULL,
                run_id TEXT,
                status TEXT NOT NULL,
                status_message TEXT,
                run_link TEXT,
                PRIMARY KEY (name, version));
            CREATE INDEX ix_model_versions_run ON model_versions (run_id);
            CREATE TABLE model_version_tags (
                name TEXT NOT NULL,
                version INTEGER NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (name, version, key),
                FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON UPDATE CASCADE ON DELETE CASCADE);
            CREATE TABLE registered_model_aliases (
                name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
                alias TEXT NOT NULL,
                version INTEGER NOT NULL,
                PRIMARY KEY (name, alias));
            CREATE TABLE model_transitions (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                version TEXT NOT NULL,
                alias TEXT NOT NULL,
                action TEXT NOT NULL,
                actor TEXT NOT NULL,
                timestamp INTEGER NOT NULL,
                comment TEXT,
                gate TEXT,
                gate_details TEXT);
            CREATE INDEX ix_model_transitions_name ON model_transitions (name, timestamp);
            """),
        (3, "tracking: dataset inputs of runs (MLflow log-inputs)", """
            CREATE TABLE run_inputs (
                run_id INTEGER NOT NULL,
                name TEXT NOT NULL,
                digest TEXT NOT NULL,
                source_type TEXT NOT NULL,
                source TEXT NOT NULL,
                dataset_schema TEXT,
                profile TEXT,
                tags TEXT NOT NULL,
                logged_time INTEGER NOT NULL,
                PRIMARY KEY (run_id, name, digest));
            """),
        (4, "data: named dataset versions (data:/name@N)", """
            CREATE TABLE datasets (
                name TEXT PRIMARY KEY,
                creation_time INTEGER NOT NULL,
                last_updated_time INTEGER NOT NULL);
            CREATE TABLE dataset_versions (
                name TEXT NOT NULL REFERENCES datasets(name),
                version INTEGER NOT NULL,
                digest TEXT NOT NULL,
                kind TEXT NOT NULL,
                size INTEGER NOT NULL,
                file_count INTEGER NOT NULL,
                path TEXT NOT NULL,
                git_commit TEXT,
                table_summary TEXT,
                description TEXT,
                created_by TEXT NOT NULL,
                creation_time INTEGER NOT NULL,
                PRIMARY KEY (name, version),
                UNIQUE (name, digest));
            """),
        (5, Cairn.Storage.Sql.PipelineScheduleSchema.Description, Cairn.Storage.Sql.PipelineScheduleSchema.Sql),
        (6, Cairn.Storage.Sql.MonitorSchema.Description, Cairn.Storage.Sql.MonitorSchema.Sql),
        (7, Cairn.Storage.Sql.EndpointSchema.Description, Cairn.Storage.Sql.EndpointSchema.Sql),
        (8, Cairn.Storage.Sql.LoggedModelSchema.Description, Cairn.Storage.Sql.LoggedModelSchema.Sql),
        (9, Cairn.Storage.Sql.FeatureSchema.Description, Cairn.Storage.Sql.FeatureSchema.Sql),
        (10, Cairn.Storage.Sql.DatasetLineageSchema.Description, Cairn.Storage.Sql.DatasetLineageSchema.Sql),
        (11, Cairn.Storage.Sql.FeatureStatisticsSchema.Description, Cairn.Storage.Sql.FeatureStatisticsSchema.Sql),
        (12, Cairn.Storage.Sql.SecuritySchema.Description, Cairn.Storage.Sql.SecuritySchema.Sql),
        (13, Cairn.Storage.Sql.AuditSchema.Description, Cairn.Storage.Sql.AuditSchema.Sql),
    ];

    public static int LatestVersion => Migrations[^1].Version;

    public static void Migrate(SqliteDatabase database)
    {
        using var connection = database.OpenSqlite();
        SqliteDatabase.Execute(connection,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_time INTEGER NOT NULL);");
        var current = CurrentVersion(connection);
        if (current > LatestVersion)
            throw CairnException.InvalidState(
                $"The database {database.Path} has schema version {current}, newer than this Cairn build knows ({LatestVersion}). Upgrade Cairn.");
        foreach (var (version, description, sql) in Migrations)
        {
            if (version <= current) continue;
            using var transaction = connection.BeginTransaction(deferred: false);
            // Re-check inside the write lock: another process may have migrated meanwhile.
            if (CurrentVersion(connection, transaction) >= version) { transaction.Rollback(); continue; }
            SqliteDatabase.Execute(connection, sql, transaction);
            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (version, description, applied_time) VALUES (@v, @d, @t)";
            record.Parameters.AddWithValue("@v", version);
            record.Parameters.AddWithValue("@d", description);
            record.Parameters.AddWithValue("@t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            record.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    public static int CurrentVersion(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        return Convert.ToInt32(command.ExecuteScalar());
    }
}
