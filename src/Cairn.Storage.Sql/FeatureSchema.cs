namespace Cairn.Storage.Sql;

/// <summary>The feature definition tables, one text for SQLite and PostgreSQL (BIGINT is an integer in both).</summary>
/// <remarks>
/// An apply is one row of <c>feature_applies</c>; its number is <c>MAX + 1</c> under the primary
/// key, so of two applies racing on PostgreSQL one commits and the other fails and can be retried,
/// never both on the same registered state. <c>definition</c> is the canonical JSON of the record
/// (null for a removal); <c>position</c> keeps the plan's order within an apply.
/// </remarks>
public static class FeatureSchema
{
    /// <summary>What the migration adds, as the schema history shows it.</summary>
    public const string Description = "features: applies and the versions of entity, source, view and service definitions";

    /// <summary>The migration.</summary>
    public const string Sql = """
        CREATE TABLE feature_applies (
            apply_number BIGINT PRIMARY KEY,
            apply_time BIGINT NOT NULL);
        CREATE TABLE feature_definitions (
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            version BIGINT NOT NULL,
            apply_number BIGINT NOT NULL,
            position BIGINT NOT NULL,
            creation_time BIGINT NOT NULL,
            definition TEXT,
            PRIMARY KEY (kind, name, version));
        CREATE INDEX ix_feature_definitions_apply ON feature_definitions (apply_number, position);
        """;
}
