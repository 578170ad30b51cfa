using Cairn.Quality.Tables;

namespace Cairn.Monitoring;

/// <summary>The logged rows of one model in [Start, End), optionally of one version, from the inference log's folder.</summary>
public sealed record InferenceLogWindow(string LogFolder, string Model, long Start, long End, string? Version = null)
{
    public override string ToString() =>
        $"the inference log of {Model}{(Version is null ? "" : $" version {Version}")} from {Format(Start)} to {Format(End)}";

    private static string Format(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public IEnumerable<string> Files() => InferenceLogLayout.FilesIn(LogFolder, Model, Start, End);

    /// <summary>The column a monitored name reads in a log file: <c>input_&lt;name&gt;</c>, or the name itself for outputs (<c>output_&lt;name&gt;</c>).</summary>
    public static int FieldOf(IReadOnlyList<TableField> fields, string column)
    {
        var input = fields.IndexOf("input_" + column);
        return input >= 0 ? input : column.StartsWith("output_", StringComparison.Ordinal) ? fields.IndexOf(column) : -1;
    }

    /// <summary>The monitored column names a log file offers: its inputs without the prefix, its outputs with it, and their kinds.</summary>
    public static IEnumerable<MonitoredColumn> ColumnsOf(IReadOnlyList<TableField> fields) => fields
        .Where(f => f.Name.StartsWith("input_", StringComparison.Ordinal) || f.Name.StartsWith("output_", StringComparison.Ordinal))
        .Select(f => new MonitoredColumn(f.Name.StartsWith("input_", StringComparison.Ordinal) ? f.Name["input_".Length..] : f.Name,
            MonitoredKinds.Of(f.DeclaredType ?? ColumnType.String)));
}

/// <summary>What a window read hands to performance and latency consumers for each batch: the kept rows' identities and the batch.</summary>
public sealed record LoggedBatch(TableBatch Batch, IReadOnlyList<TableField> Fields, int[]? Rows, int Count, int RequestIdField, int RowField, int LatencyField);
