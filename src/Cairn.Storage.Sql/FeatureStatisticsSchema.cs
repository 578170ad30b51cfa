namespace Cairn.Storage.Sql;

/// <summary>The recorded feature statistics, one text for SQLite and PostgreSQL (BIGINT is an integer in both).</summary>
/// <remarks>
/// A snapshot's number is <c>MAX + 1</c> per view under the primary key, so two recordings racing on
/// PostgreSQL never share one. <c>statistics</c> is the canonical JSON of the per-feature figures;
/// the interval and event times are Unix microseconds (null: unbounded or no rows).
/// </remarks>
public static class FeatureStatisticsSchema
{
    /// <summary>What the migration adds, as the schema history shows it.</summary>
    public const string Description = "features: statistics snapshots of view versions";

    /// <summary>The migration.</summary>
    public const string Sql = """
        CREATE TABLE feature_statistics (
            view_name TEXT NOT NULL,
            number BIGINT NOT NULL,
            view_version BIGINT NOT NULL,
            record_time BIGINT NOT NULL,
            start_time BIGINT,
            end_time BIGINT,
            row_count BIGINT NOT NULL,
            oldest_event_time BIGINT,
            newest_event_time BIGINT,
            statistics TEXT NOT NULL,
            PRIMARY KEY (view_name, number));
        """;
}
