namespace Cairn.Storage.Sql;

/// <summary>The <c>derived_from</c> edges of dataset versions, one text for SQLite and PostgreSQL (BIGINT is an integer in both).</summary>
/// <remarks>
/// One row per edge rather than a JSON column, so that "which training sets were built from
/// features:/airport_delays@3" is an indexed query. <c>position</c> keeps the order given.
/// </remarks>
public static class DatasetLineageSchema
{
    /// <summary>What the migration adds, as the schema history shows it.</summary>
    public const string Description = "data: derived_from edges of dataset versions (feature view and dataset versions)";

    /// <summary>The migration.</summary>
    public const string Sql = """
        CREATE TABLE dataset_derived_from (
            name TEXT NOT NULL,
            version BIGINT NOT NULL,
            position BIGINT NOT NULL,
            source TEXT NOT NULL,
            PRIMARY KEY (name, version, position),
            FOREIGN KEY (name, version) REFERENCES dataset_versions(name, version));
        CREATE INDEX ix_dataset_derived_from_source ON dataset_derived_from (source);
        """;
}
