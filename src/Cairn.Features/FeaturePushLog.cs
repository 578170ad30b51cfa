using System.Globalization;

namespace Cairn.Features;

/// <summary>
/// Where pushed rows are kept for training sets: one Parquet file per push under
/// <c>&lt;root&gt;/&lt;view&gt;/</c>, named so that name order is push order. Training sets,
/// materialization and statistics read a view's source rows, then its pushed rows (so a pushed
/// row wins a tie with a source row of the same event time).
/// </summary>
internal static class FeaturePushLog
{
    /// <summary>The folder of a view's pushes.</summary>
    public static string FolderOf(string root, string view) => Path.Combine(Path.GetFullPath(root), FeatureRepositoryRules.Name(view, "a feature view"));

    /// <summary>A new file name for a push made now: the UTC time to the tick, then a random suffix.</summary>
    public static string NewFile(string root, string view, DateTimeOffset now) =>
        Path.Combine(FolderOf(root, view), $"push-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfffffff", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.parquet");

    /// <summary>
    /// Copies the columns a job needs from <paramref name="relation"/> into a temporary table, then
    /// appends the view's pushed rows, so that row ids follow read order: source rows first (in file
    /// order), then pushes in the order they were made. The tie rule reads that order.
    /// </summary>
    public static async Task CopyAsync(DuckDbSession session, SelectedView view, string relation, string table, string? pushRoot, CancellationToken ct)
    {
        var columns = view.JoinKeys.Select(k => k.Name).Append(view.Source.TimestampField).Concat(view.Features.Select(f => f.Field.Name))
            .Distinct(StringComparer.OrdinalIgnoreCase).Select(DuckDbSql.Identifier).ToList();
        var list = string.Join(", ", columns);
        await session.ExecuteAsync($"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {list} FROM {relation}", ct, $"Reading feature view '{view.View.Name}'");
        if (pushRoot is null) return;
        var folder = FolderOf(pushRoot, view.View.Name);
        if (!Directory.Exists(folder) || !Directory.EnumerateFiles(folder, "push-*.parquet").Any()) return;
        var files = DuckDbSql.Literal(Path.Combine(folder, "push-*.parquet"));
        await session.ExecuteAsync($"INSERT INTO {table} ({list}) SELECT {list} FROM read_parquet({files}, union_by_name = true, filename = true, file_row_number = true) ORDER BY filename, file_row_number",
            ct, $"Reading the pushed rows of feature view '{view.View.Name}'");
    }
}
