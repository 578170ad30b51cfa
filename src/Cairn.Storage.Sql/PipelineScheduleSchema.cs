namespace Cairn.Storage.Sql;

/// <summary>The schedule tables, one text for SQLite and PostgreSQL (BIGINT is an integer in both).</summary>
public static class PipelineScheduleSchema
{
    public const string Description = "pipelines: schedules, triggers and the fire log (one fire per source and key)";

    public const string Sql = """
        CREATE TABLE pipeline_schedules (
            name TEXT PRIMARY KEY,
            pipeline_file TEXT NOT NULL,
            cron TEXT NOT NULL,
            time_zone TEXT NOT NULL,
            parameters TEXT NOT NULL,
            enabled BIGINT NOT NULL,
            creation_time BIGINT NOT NULL,
            active_since BIGINT NOT NULL);
        CREATE TABLE pipeline_triggers (
            name TEXT PRIMARY KEY,
            pipeline_file TEXT NOT NULL,
            event TEXT NOT NULL,
            source TEXT NOT NULL,
            parameter_name TEXT,
            parameters TEXT NOT NULL,
            enabled BIGINT NOT NULL,
            creation_time BIGINT NOT NULL,
            baseline_version BIGINT NOT NULL);
        CREATE TABLE pipeline_fires (
            fire_id TEXT PRIMARY KEY,
            source_kind TEXT NOT NULL,
            source_name TEXT NOT NULL,
            fire_key TEXT NOT NULL,
            pipeline_file TEXT NOT NULL,
            fire_time BIGINT NOT NULL,
            parameters TEXT NOT NULL,
            status TEXT NOT NULL,
            owner TEXT,
            pipeline_run_id TEXT,
            error TEXT,
            creation_time BIGINT NOT NULL,
            end_time BIGINT,
            UNIQUE (source_kind, source_name, fire_key));
        CREATE INDEX ix_pipeline_fires_created ON pipeline_fires (creation_time);
        CREATE INDEX ix_pipeline_fires_status ON pipeline_fires (status, creation_time);
        """;
}
