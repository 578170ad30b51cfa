namespace Cairn.Features;

/// <summary>
/// Writes a view's offline rows to a Parquet file: its join keys and features, for events in an
/// interval. Lets other capabilities (monitoring's reference) read feature values as a table.
/// </summary>
public static class FeatureViewExport
{
    /// <summary>Writes the rows of <paramref name="view"/> with events in [<paramref name="start"/>, <paramref name="end"/>) to <paramref name="path"/>; returns how many.</summary>
    /// <param name="sourceRoot">What a relative source path is relative to.</param>
    /// <param name="pushLogRoot">The folder of pushed rows, or null for the source alone.</param>
    /// <param name="datasets">Finds the files of a <c>dataset</c> source's version; null: such sources are refused.</param>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for an unknown view, an empty interval, or a source without a declared column or with another type.</exception>
    public static async Task<long> WriteParquetAsync(FeatureRepository repository, string view, string path, DateTimeOffset? start = null, DateTimeOffset? end = null,
        string? sourceRoot = null, string? pushLogRoot = null, FeatureDatasetResolver? datasets = null, CancellationToken ct = default)
    {
        const string table = "__cairn_export";
        using var session = await DuckDbSession.OpenAsync(ct);
        var (selected, _) = await FeatureViewRows.LoadAsync(session, repository, view, table, start, end, new SourceReading(sourceRoot, datasets, start, end), pushLogRoot, ct);
        var columns = selected.JoinKeys.Select(k => k.Name).Concat(selected.View.Features.Select(f => f.Name)).Distinct(StringComparer.Ordinal).Select(DuckDbSql.Identifier);
        await session.ExecuteAsync($"COPY (SELECT {string.Join(", ", columns)} FROM {table}) TO {DuckDbSql.Literal(Path.GetFullPath(path))} (FORMAT parquet)", ct,
            $"Writing the rows of feature view '{view}'");
        var counted = await session.FirstRowAsync($"SELECT count(*) FROM {table}", ct, $"Counting feature view '{view}'");
        return Convert.ToInt64(counted[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
