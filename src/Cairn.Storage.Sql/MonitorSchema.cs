namespace Cairn.Storage.Sql;

/// <summary>The monitoring tables, one text for SQLite and PostgreSQL (BIGINT is an integer and DOUBLE PRECISION a real in both).</summary>
public static class MonitorSchema
{
    public const string Description = "monitoring: monitors, their runs (one per monitor and key), alert states and events, feedback labels";

    public const string Sql = """
        CREATE TABLE monitors (
            name TEXT PRIMARY KEY,
            spec TEXT NOT NULL,
            enabled BIGINT NOT NULL,
            creation_time BIGINT NOT NULL,
            active_since BIGINT NOT NULL);
        CREATE TABLE monitor_runs (
            run_id TEXT PRIMARY KEY,
            monitor_name TEXT NOT NULL,
            run_key TEXT NOT NULL,
            window_start BIGINT NOT NULL,
            window_end BIGINT NOT NULL,
            status TEXT NOT NULL,
            owner TEXT,
            tracking_run_id TEXT,
            run_values TEXT NOT NULL,
            error TEXT,
            creation_time BIGINT NOT NULL,
            end_time BIGINT,
            UNIQUE (monitor_name, run_key));
        CREATE INDEX ix_monitor_runs_window ON monitor_runs (monitor_name, window_end);
        CREATE TABLE alert_states (
            monitor_name TEXT NOT NULL,
            alert_name TEXT NOT NULL,
            state TEXT NOT NULL,
            severity TEXT NOT NULL,
            value DOUBLE PRECISION,
            message TEXT NOT NULL,
            since BIGINT NOT NULL,
            last_notified BIGINT,
            updated_time BIGINT NOT NULL,
            PRIMARY KEY (monitor_name, alert_name));
        CREATE TABLE alert_events (
            event_id TEXT PRIMARY KEY,
            monitor_name TEXT NOT NULL,
            alert_name TEXT NOT NULL,
            state TEXT NOT NULL,
            severity TEXT NOT NULL,
            value DOUBLE PRECISION,
            message TEXT NOT NULL,
            monitor_run_id TEXT,
            event_time BIGINT NOT NULL);
        CREATE INDEX ix_alert_events_monitor ON alert_events (monitor_name, event_time);
        CREATE INDEX ix_alert_events_time ON alert_events (event_time);
        CREATE TABLE monitor_feedback (
            request_id TEXT NOT NULL,
            row_index BIGINT NOT NULL,
            label DOUBLE PRECISION NOT NULL,
            label_time BIGINT NOT NULL,
            PRIMARY KEY (request_id, row_index));
        """;
}
