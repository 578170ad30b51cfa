using System.Globalization;
using System.Text;

namespace Cairn.Features;

/// <summary>
/// Builds point-in-time correct training sets: for each row of an entity table (join keys and an
/// event timestamp) the value each requested feature had at that instant, never a later one, and
/// null where the latest known value is older than the view's TTL. One DuckDB <c>ASOF LEFT JOIN</c>
/// per feature view over the sources' files; everything is checked before any row is read.
/// </summary>
public static class PointInTimeJoiner
{
    private const string Reserved = "__cairn_";

    /// <summary>Joins the features of the named service (see the other overload).</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for an unknown service, and as the other overload.</exception>
    public static Task<TrainingSetResult> JoinAsync(FeatureRepository repository, string service, string entityPath, string outputPath,
        PointInTimeOptions? options = null, CancellationToken ct = default) =>
        JoinAsync(repository, FeatureSelection.OfService(repository, service), entityPath, outputPath, options, ct);

    /// <summary>
    /// Writes to <paramref name="outputPath"/> (Parquet) every row of the entity table at
    /// <paramref name="entityPath"/> (Parquet or CSV), in its order and with all its columns, plus
    /// one column per feature: the value from the source row with the same join keys and the latest
    /// event time at or before the row's timestamp (ties: the row read last), or null when there is
    /// none or it is older than the view's TTL. The file appears whole or not at all.
    /// </summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE, before any work, for an unknown view or feature, an entity
    /// table without a join key or the timestamp column, a source without a declared column or with another type, or a path
    /// that cannot be read.</exception>
    public static async Task<TrainingSetResult> JoinAsync(FeatureRepository repository, IReadOnlyList<FeatureReference> features,
        string entityPath, string outputPath, PointInTimeOptions? options = null, CancellationToken ct = default)
    {
        options ??= new PointInTimeOptions();
        if (string.IsNullOrWhiteSpace(options.EntityTimestampColumn)) throw CairnException.InvalidParameter("The entity timestamp column name is empty.");
        if (string.IsNullOrWhiteSpace(outputPath)) throw CairnException.InvalidParameter("No output path given for the training set.");
        var plan = FeatureSelection.ResolveWithOnDemand(repository, features, options.FullFeatureNames);
        var views = plan.Views;
        var functions = options.Functions ?? OnDemandFeatureFunctions.None;
        foreach (var onDemand in plan.OnDemand) functions.Get(onDemand.View.Function, onDemand.View.Name);
        var entityRead = TabularFiles.ReadFile(entityPath, "Entity table");
        var output = Path.GetFullPath(outputPath);
        if (string.Equals(output, Path.GetFullPath(entityPath), StringComparison.Ordinal))
            throw CairnException.InvalidParameter("The training set would overwrite its own entity table; write it elsewhere.");

        using var session = await DuckDbSession.OpenAsync(ct);
        var entityColumns = await CheckEntityTableAsync(session, entityRead, entityPath, views, options, ct);
        await OnDemandOffline.CheckEntityTableAsync(session, entityRead, entityPath, plan.OnDemand, ct);
        var relations = new List<string>();
        foreach (var view in views) relations.Add(await FeatureViewRelation.OpenAsync(session, view, new SourceReading(options.SourceRoot, options.DatasetResolver), ct));

        await session.ExecuteAsync($"CREATE TEMP TABLE {Reserved}entity AS SELECT * FROM {entityRead}", ct, $"Reading entity table '{entityPath}'");
        for (var i = 0; i < views.Count; i++)
            await FeaturePushLog.CopyAsync(session, views[i], relations[i], $"{Reserved}view{i}", options.PushLogRoot, ct);

        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var partial = $"{output}.{Guid.NewGuid():N}.partial";
        try
        {
            var query = plan.OnDemand.Count == 0 ? JoinQuery(views, entityColumns, options)
                : await OnDemandOffline.ComputeAsync(session, JoinQuery(views, entityColumns, options, withRow: true), plan, functions, ct);
            await session.ExecuteAsync($"COPY ({query}) TO {DuckDbSql.Literal(partial)} (FORMAT parquet)", ct, "The point-in-time join");
            var counts = await CountAsync(session, partial, [.. views.SelectMany(v => v.Features.Where(f => f.Output)), .. plan.OnDemand.SelectMany(v => v.Features)], ct);
            File.Move(partial, output, overwrite: true);
            return counts with { OutputPath = output };
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static async Task<IReadOnlyList<string>> CheckEntityTableAsync(DuckDbSession session, string entityRead, string entityPath,
        IReadOnlyList<SelectedView> views, PointInTimeOptions options, CancellationToken ct)
    {
        var columns = await session.DescribeAsync(entityRead, ct, $"Reading the columns of entity table '{entityPath}'");
        var types = FeatureViewRelation.TypesByName(columns);
        if (columns.FirstOrDefault(c => c.Name.StartsWith(Reserved, StringComparison.OrdinalIgnoreCase)) is { Name: { } reserved })
            throw CairnException.InvalidParameter($"Entity table '{entityPath}': column '{reserved}' uses the prefix {Reserved}, which Cairn keeps for itself; rename it.");
        var timestamp = options.EntityTimestampColumn;
        if (!types.TryGetValue(timestamp, out var timestampType))
            throw CairnException.InvalidParameter($"Entity table '{entityPath}' has no timestamp column '{timestamp}'; its columns: {string.Join(", ", columns.Select(c => c.Name))}. Add it or name the column to use.");
        if (!DuckDbSql.IsInstant(timestampType))
            throw CairnException.InvalidParameter($"Entity table '{entityPath}': timestamp column '{timestamp}' is {timestampType}, not a timestamp or date.");
        foreach (var view in views)
        {
            foreach (var key in view.JoinKeys)
            {
                if (!types.TryGetValue(key.Name, out var keyType))
                    throw CairnException.InvalidParameter($"Entity table '{entityPath}' has no join key column '{key.Name}', which feature view '{view.View.Name}' joins on.");
                if (!DuckDbSql.Holds(key.Type, keyType))
                    throw CairnException.InvalidParameter($"Entity table '{entityPath}': join key '{key.Name}' is {keyType}, but its entity declares {key.Type.Name()}.");
            }
            foreach (var feature in view.Features.Where(f => types.ContainsKey(f.Column)))
                throw CairnException.InvalidParameter($"Feature '{feature.Reference}' would be written to column '{feature.Column}', which the entity table already has; rename that column or request full feature names.");
        }
        return columns.Select(c => c.Name).ToList();
    }

    /// <summary>The join; <paramref name="withRow"/> adds the entity row number first (as <c>__cairn_row</c>) for the on-demand step.</summary>
    private static string JoinQuery(IReadOnlyList<SelectedView> views, IReadOnlyList<string> entityColumns, PointInTimeOptions options, bool withRow = false)
    {
        var sql = new StringBuilder("WITH ");
        for (var i = 0; i < views.Count; i++)
        {
            var view = views[i];
            var keys = string.Join(", ", view.JoinKeys.Select(k => DuckDbSql.Identifier(k.Name)));
            var timestamp = DuckDbSql.Identifier(view.Source.TimestampField);
            // One row per key and instant (the one read last wins a tie), so that ASOF has one candidate.
            sql.Append(CultureInfo.InvariantCulture, $"v{i} AS (SELECT {keys}, CAST({timestamp} AS TIMESTAMPTZ) AS {Reserved}ts, ")
                .Append(string.Join(", ", view.Features.Select(f => $"CAST({DuckDbSql.Identifier(f.Field.Name)} AS {DuckDbSql.TypeOf(f.Field.Type)}) AS {DuckDbSql.Identifier(f.Field.Name)}")))
                .Append(CultureInfo.InvariantCulture, $" FROM {Reserved}view{i} WHERE {timestamp} IS NOT NULL QUALIFY row_number() OVER (PARTITION BY {keys}, {Reserved}ts ORDER BY rowid DESC) = 1), ");
        }
        sql.Append(CultureInfo.InvariantCulture, $"e AS (SELECT rowid AS {Reserved}row, CAST({DuckDbSql.Identifier(options.EntityTimestampColumn)} AS TIMESTAMPTZ) AS {Reserved}ts, * FROM {Reserved}entity) SELECT ")
            .Append(withRow ? $"e.{Reserved}row, " : "")
            .Append(string.Join(", ", entityColumns.Select(c => "e." + DuckDbSql.Identifier(c))));
        for (var i = 0; i < views.Count; i++)
            foreach (var feature in views[i].Features)
            {
                // The age check repeats the join's own condition on purpose: the random tests saw DuckDB's
                // ASOF join match entity rows whose timestamp is null, and a value must
                // never come from after the row whatever the join does.
                var age = $"epoch_us(e.{Reserved}ts) - epoch_us(v{i}.{Reserved}ts)";
                var valid = views[i].View.Ttl is { } ttl ? $"{age} BETWEEN 0 AND {ttl.Ticks / TimeSpan.TicksPerMicrosecond}" : $"{age} >= 0";
                sql.Append(CultureInfo.InvariantCulture, $", CASE WHEN {valid} THEN v{i}.{DuckDbSql.Identifier(feature.Field.Name)} END AS {DuckDbSql.Identifier(feature.Column)}");
            }
        sql.Append(" FROM e");
        for (var i = 0; i < views.Count; i++)
        {
            var keys = views[i].JoinKeys.Select(k => $"e.{DuckDbSql.Identifier(k.Name)} = v{i}.{DuckDbSql.Identifier(k.Name)}");
            sql.Append(CultureInfo.InvariantCulture, $" ASOF LEFT JOIN v{i} ON {string.Join(" AND ", keys)} AND e.{Reserved}ts >= v{i}.{Reserved}ts");
        }
        return sql.Append(CultureInfo.InvariantCulture, $" ORDER BY e.{Reserved}row").ToString();
    }

    private static async Task<TrainingSetResult> CountAsync(DuckDbSession session, string path, IReadOnlyList<SelectedFeature> features, CancellationToken ct)
    {
        var counts = string.Join("", features.Select(f => $", count(*) - count({DuckDbSql.Identifier(f.Column)})"));
        var row = await session.FirstRowAsync($"SELECT count(*){counts} FROM read_parquet({DuckDbSql.Literal(path)})", ct, "Counting the training set");
        return new TrainingSetResult(path, Convert.ToInt64(row[0], CultureInfo.InvariantCulture),
            features.Select((f, i) => new TrainingSetColumn(f.Reference, f.Column, f.Field.Type, Convert.ToInt64(row[i + 1], CultureInfo.InvariantCulture))).ToList());
    }
}
