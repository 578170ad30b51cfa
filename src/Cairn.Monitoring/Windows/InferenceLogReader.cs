using Cairn.Quality.Tables;

namespace Cairn.Monitoring;

/// <summary>
/// Reads a window of the inference log file by file and row group by row group into column
/// sinks, so memory is bounded by one row group and the profiles, not by the window. Files of one
/// hour may type a column differently (a batch with a text value logs the column as text); each
/// file is mapped on its own, and values that are not numbers in a numeric column count as type
/// violations.
/// </summary>
public static class InferenceLogReader
{
    /// <summary>The columns the window's first file offers (empty when the window has no file).</summary>
    public static async Task<IReadOnlyList<MonitoredColumn>> ColumnsAsync(InferenceLogWindow window, CancellationToken ct)
    {
        foreach (var file in window.Files())
        {
            await using var reader = await ParquetTableReader.OpenAsync(file, Path.GetFileName(file), ct).ConfigureAwait(false);
            return InferenceLogWindow.ColumnsOf(reader.Fields).ToList();
        }
        return [];
    }

    /// <summary>Feeds the window's rows to <paramref name="sink"/>; returns the number of rows read.</summary>
    /// <param name="onBatch">Also given each batch (performance joins, latency), after the sink.</param>
    public static async Task<long> ReadAsync(InferenceLogWindow window, IReadOnlyList<MonitoredColumn> columns, IColumnSink sink,
        Func<LoggedBatch, CancellationToken, Task>? onBatch, IReadOnlyCollection<string>? extraFields, CancellationToken ct)
    {
        var copier = new BatchColumns();
        long total = 0;
        foreach (var file in window.Files())
        {
            ParquetTableReader reader;
            try
            {
                reader = await ParquetTableReader.OpenAsync(file, Path.GetFileName(file), ct).ConfigureAwait(false);
            }
            catch (FileNotFoundException)
            {
                continue; // removed by retention while the window was read
            }
            await using (reader.ConfigureAwait(false))
            {
                var fields = reader.Fields;
                var timestamp = fields.IndexOf("timestamp");
                var version = fields.IndexOf("version");
                if (timestamp < 0) throw CairnException.InvalidParameter($"{file} is not an inference log file: it has no 'timestamp' column.");
                var mapped = columns.Select(c => (Column: c, Field: InferenceLogWindow.FieldOf(fields, c.Name))).ToList();
                var wanted = new HashSet<int>(mapped.Where(m => m.Field >= 0).Select(m => m.Field)) { timestamp };
                if (window.Version is not null && version >= 0) wanted.Add(version);
                var requestId = fields.IndexOf("request_id");
                var rowField = fields.IndexOf("row");
                var latency = fields.IndexOf("latency_ms");
                if (onBatch is not null)
                {
                    foreach (var f in new[] { requestId, rowField, latency }.Where(f => f >= 0)) wanted.Add(f);
                    foreach (var name in extraFields ?? [])
                        if (InferenceLogWindow.FieldOf(fields, name) is >= 0 and var extra) wanted.Add(extra);
                }
                int[] kept = [];
                await foreach (var batch in reader.ReadAsync(wanted, ct).ConfigureAwait(false))
                {
                    if (kept.Length < batch.RowCount) kept = new int[batch.RowCount];
                    var count = Keep(batch, timestamp, window.Version is null || version < 0 ? -1 : version, window, kept);
                    if (count == 0) continue;
                    var rows = count == batch.RowCount ? null : kept;
                    sink.AddRows(count);
                    foreach (var (column, field) in mapped)
                    {
                        if (field >= 0) copier.Copy(column, batch[field], rows, count, sink);
                        else if (column.Kind == MonitoredKind.Numeric) sink.AddNumbers(column.Name, Missing(count), 0);
                        else sink.AddTexts(column.Name, new string?[count]);
                    }
                    if (onBatch is not null)
                        await onBatch(new LoggedBatch(batch, fields, rows, count, requestId, rowField, latency), ct).ConfigureAwait(false);
                    total += count;
                }
            }
        }
        return total;
    }

    /// <summary>The rows in the window (and of the version, when one is asked for), into <paramref name="kept"/>; returns how many.</summary>
    private static int Keep(TableBatch batch, int timestampField, int versionField, InferenceLogWindow window, int[] kept)
    {
        var timestamps = batch[timestampField];
        var versions = versionField >= 0 ? batch[versionField] : null;
        var count = 0;
        for (var row = 0; row < batch.RowCount; row++)
        {
            if (!timestamps.TryGetNumber(row, out var ts) || ts < window.Start || ts >= window.End) continue;
            if (versions is not null && versions.GetText(row) != window.Version) continue;
            kept[count++] = row;
        }
        return count;
    }

    private static double[] Missing(int count)
    {
        var values = new double[count];
        Array.Fill(values, double.NaN);
        return values;
    }
}
