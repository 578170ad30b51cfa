using Npgsql;

namespace Cairn.Storage.Postgres;

/// <summary>
/// Versioned migrations for PostgreSQL, the same tables as SQLite's. Several servers may start at
/// once: an advisory lock serializes them, and each migration runs in its own transaction.
/// </summary>
public static class PostgresSchema
{
    private const long MigrationLock = 0x43_61_69_72_6E; // "Cairn"

    private static readonly (int Version, string Description, string Sql)[] Migrations =
    [
        (1, "tracking: experiments, runs, metrics, params, tags", """
            CREATE SEQUENCE experiment_ids START 1;
            CREATE TABLE experiments (
                experiment_id BIGINT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                artifact_location TEXT NOT NULL,
                lifecycle_stage TEXT NOT NULL DEFAULT 'active',
                creation_time BIGINT NOT NULL,
                last_update_time BIGINT NOT NULL);
            CREATE TABLE experiment_tags (
                experiment_id BIGINT NOT NULL REFERENCES experiments(experiment_id),
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (experiment_id, key));
            CREATE TABLE runs (
                id BIGSERIAL PRIMARY KEY,
                run_uuid TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                experiment_id BIGINT NOT NULL REFERENCES experiments(experiment_id),
                user_id TEXT NOT NULL,
                status TEXT NOT NULL,
                start_time BIGINT NOT NULL,
                end_time BIGINT,
                artifact_uri TEXT NOT NULL,
                lifecycle_stage TEXT NOT NULL DEFAULT 'active',
                deleted_time BIGINT);
            CREATE INDEX ix_runs_experiment_start ON runs (experiment_id, start_time DESC);
            CREATE TABLE metrics (
                run_id BIGINT NOT NULL,
                key TEXT NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                timestamp BIGINT NOT NULL,
                step BIGINT NOT NULL,
                is_nan INTEGER NOT NULL);
            CREATE INDEX ix_metrics_history ON metrics (run_id, key, step, timestamp);
            CREATE TABLE latest_metrics (
                run_id BIGINT NOT NULL,
                key TEXT NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                timestamp BIGINT NOT NULL,
                step BIGINT NOT NULL,
                is_nan INTEGER NOT NULL,
                PRIMARY KEY (run_id, key));
            CREATE INDEX ix_latest_metrics_key_value ON latest_metrics (key, value);
            -- Param and tag values run to 8,000 characters, past what a btree index entry holds,
            -- so only the key is indexed here (SQLite indexes key and value).
            CREATE TABLE params (
                run_id BIGINT NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (run_id, key));
            CREATE INDEX ix_params_key ON params (key);
            CREATE TABLE tags (
                run_id BIGINT NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (run_id, key));
            CREATE INDEX ix_tags_key ON tags (key);
            """),
        (2, "registry: registered models, versions, aliases, tags, audit trail", """
            CREATE TABLE registered_models (
                name TEXT PRIMARY KEY,
                creation_time BIGINT NOT NULL,
                last_updated_time BIGINT NOT NULL,
                user_id TEXT,
                description TEXT);
            CREATE TABLE registered_model_tags (
                name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (name, key));
            CREATE TABLE model_versions (
                name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
                version BIGINT NOT NULL,
                creation_time BIGINT NOT NULL,
                last_updated_time BIGINT NOT NULL,
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
                version BIGINT NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (name, version, key),
                FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON UPDATE CASCADE ON DELETE CASCADE);
            CREATE TABLE registered_model_aliases (
                name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
                alias TEXT NOT NULL,
                version BIGINT NOT NULL,
                PRIMARY KEY (name, alias));
            CREATE TABLE model_transitions (
                seq BIGSERIAL PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                version TEXT NOT NULL,
                alias TEXT NOT NULL,
                action TEXT NOT NULL,
                actor TEXT NOT NULL,
                timestamp BIGINT NOT NULL,
                comment TEXT,
                gate TEXT,
                gate_details TEXT);
            CREATE INDEX ix_model_transitions_name ON model_transitions (name, timestamp);
            """),
        (3, "tracking: dataset inputs of runs (MLflow log-inputs)", """
            CREATE TABLE run_inputs (
                run_id BIGINT NOT NULL,
                name TEXT NOT NULL,
                digest TEXT NOT NULL,
                source_type TEXT NOT NULL,
                source TEXT NOT NULL,
                dataset_schema TEXT,
                profile TEXT,
                tags TEXT NOT NULL,
                logged_time BIGINT NOT NULL,
                PRIMARY KEY (run_id, name, digest));
            """),
        (4, "data: named dataset versions (data:/name@N)", """
            CREATE TABLE datasets (
                name TEXT PRIMARY KEY,
                creation_time BIGINT NOT NULL,
                last_updated_time BIGINT NOT NULL);
            CREATE TABLE dataset_versions (
                name TEXT NOT NULL REFERENCES datasets(name),
                version BIGINT NOT NULL,
                digest TEXT NOT NULL,
                kind TEXT NOT NULL,
                size BIGINT NOT NULL,
                file_count BIGINT NOT NULL,
                path TEXT NOT NULL,
                git_commit TEXT,
                table_summary TEXT,
                description TEXT,
                created_by TEXT NOT NULL,
                creation_time BIGINT NOT NULL,
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

    /// <summary>Applies the migrations the database lacks; returns the versions applied.</summary>
    public static async Task<IReadOnlyList<int>> MigrateAsync(NpgsqlDataSource source, string description, CancellationToken ct = default)
    {
        var applied = new List<int>();
        await using var connection = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
        // Under the lock too: two servers starting on a new database would otherwise race on
        // CREATE TABLE IF NOT EXISTS, which PostgreSQL does not make atomic (23505 on pg_type).
        await using (var create = await connection.BeginTransactionAsync(ct).ConfigureAwait(false))
        {
            await Execute(connection, create, $"SELECT pg_advisory_xact_lock({MigrationLock})", ct).ConfigureAwait(false);
            await Execute(connection, create, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_time BIGINT NOT NULL)", ct).ConfigureAwait(false);
            await create.CommitAsync(ct).ConfigureAwait(false);
        }
        foreach (var (version, text, sql) in Migrations)
        {
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await Execute(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})", ct).ConfigureAwait(false);
            var current = await CurrentVersionAsync(connection, transaction, ct).ConfigureAwait(false);
            if (current > LatestVersion)
                throw CairnException.InvalidState($"The database {description} has schema version {current}, newer than this Cairn build knows ({LatestVersion}). Upgrade Cairn.");
            if (current >= version)
            {
                await transaction.RollbackAsync(ct).ConfigureAwait(false);
                continue;
            }
            await Execute(connection, transaction, sql, ct).ConfigureAwait(false);
            await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, description, applied_time) VALUES (@v, @d, @t)", connection, transaction))
            {
                record.Parameters.AddWithValue("v", version);
                record.Parameters.AddWithValue("d", text);
                record.Parameters.AddWithValue("t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                await record.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            applied.Add(version);
        }
        return applied;
    }

    public static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct = default)
    {
        await using var command = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", connection, transaction);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct).ConfigureAwait(false));
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
