namespace Cairn.Features;

/// <summary>
/// The SQL relation a feature view reads (its source, through its transformation), checked against
/// the view's declared columns and types before any row is read: what training sets and
/// materialization both start from.
/// </summary>
internal static class FeatureViewRelation
{
    /// <summary>
    /// Checks the view's relation (its source, through its transformation) has every column it
    /// declares, typed as declared; returns the relation. A PostgreSQL source is checked on its
    /// catalog, then loaded: without a transformation only the columns the view uses and, when
    /// <paramref name="reading"/> has bounds, only the events within them.
    /// </summary>
    public static async Task<string> OpenAsync(DuckDbSession session, SelectedView selected, SourceReading reading, CancellationToken ct)
    {
        var (view, source) = (selected.View, selected.Source);
        if (view.Ttl is { } ttl && ttl < TimeSpan.Zero) throw CairnException.InvalidParameter($"Feature view '{view.Name}' has a negative TTL ({ttl}).");
        var what = $"Source '{source.Name}' of feature view '{view.Name}'";
        PostgresSource? postgres = null;
        var read = source.Kind switch
        {
            FeatureSourceKinds.File => TabularFiles.ReadFilesOrFolder(source.Path ?? "", reading.Root, what),
            FeatureSourceKinds.Query when !string.IsNullOrWhiteSpace(source.Query) => $"({source.Query})",
            FeatureSourceKinds.Query => throw CairnException.InvalidParameter($"{what} is a query source without a query."),
            FeatureSourceKinds.Dataset => await DatasetSource.ReadAsync(source, reading.Datasets, what, ct),
            FeatureSourceKinds.Postgres => (postgres = await PostgresSource.OpenAsync(session, source, what, ct)).Relation,
            _ => throw CairnException.InvalidParameter($"{what} has unknown kind '{source.Kind}'; use one of {string.Join(", ", FeatureSourceKinds.All)}."),
        };
        var relation = view.Transformation is { } transformation ? $"(WITH source AS (SELECT * FROM {read}) {transformation})" : read;
        var columns = await session.DescribeAsync(relation, ct, $"Reading the columns of {what}{(view.Transformation is null ? "" : " through its transformation")}");
        var types = TypesByName(columns);
        void Check(string column, string role, Func<string, bool> holds, string declared)
        {
            if (!types.TryGetValue(column, out var actual))
                throw CairnException.InvalidParameter($"{what} has no {role} column '{column}' (has the source's schema changed?); its columns: {string.Join(", ", columns.Select(c => c.Name))}.");
            if (!holds(actual))
                throw CairnException.InvalidParameter($"{what}: {role} column '{column}' is {actual}, but the definition declares {declared} (has the source's schema changed?).");
        }
        Check(source.TimestampField, "event timestamp", DuckDbSql.IsInstant, "a timestamp");
        foreach (var key in selected.JoinKeys) Check(key.Name, "join key", t => DuckDbSql.Holds(key.Type, t), key.Type.Name());
        foreach (var feature in selected.Features) Check(feature.Field.Name, "feature", t => DuckDbSql.Holds(feature.Field.Type, t), feature.Field.Type.Name());
        if (postgres is not null)
        {
            // A transformation may read any column, and may aggregate over earlier events (a rolling
            // mean), so it gets the whole table; otherwise only what the view uses, in the interval.
            var plain = view.Transformation is null;
            var needed = plain ? selected.JoinKeys.Select(k => k.Name).Append(source.TimestampField).Concat(selected.Features.Select(f => f.Field.Name)).ToList() : null;
            await postgres.LoadAsync(session, needed, source.TimestampField, plain ? reading.Start : null, plain ? reading.End : null, ct);
        }
        return relation;
    }

    /// <summary>Column types by name, as DuckDB resolves names (ignoring case; the first of two that differ only in case).</summary>
    public static Dictionary<string, string> TypesByName(IReadOnlyList<(string Name, string Type)> columns) =>
        columns.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Type, StringComparer.OrdinalIgnoreCase);
}
