using Cairn.Monitoring;
using Parquet;
using Parquet.Schema;

namespace Cairn.Server.Ui.Endpoints;

/// <summary>What one variant answered (or, for a shadow, scored) in a window of the inference log.</summary>
/// <param name="RequestsPerMinute">Requests in each minute of the window, oldest first.</param>
public sealed record VariantTraffic(string Variant, long Requests, long Rows, double? P50LatencyMs, double? P99LatencyMs, IReadOnlyList<long> RequestsPerMinute);

/// <summary>An endpoint's traffic over [<see cref="Start"/>, <see cref="End"/>) by variant, and the log files that could not be read.</summary>
public sealed record EndpointTraffic(long Start, long End, IReadOnlyList<VariantTraffic> Variants, IReadOnlyList<string> Unreadable)
{
    public const long MinuteMs = 60_000;
    public long Requests => Variants.Sum(v => v.Requests);

    /// <summary>The variants in the order <paramref name="names"/> gives them (an endpoint's own), then any other (a retired variant) by name.</summary>
    public EndpointTraffic OrderedBy(IReadOnlyList<string> names) => this with
    {
        Variants = Variants
            .OrderBy(v => Position(names, v.Variant))
            .ThenBy(v => v.Variant, StringComparer.Ordinal)
            .ToList(),
    };

    private static int Position(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
            if (names[i] == name) return i;
        return names.Count;
    }
}

/// <summary>
/// Reads an endpoint's window of the inference log (the folder <c>cairn deploy serve --inference-log</c> writes,
/// partitioned by the endpoint's name, one Parquet row per scored row) into per-variant figures. It reads only the
/// columns it needs with Parquet.Net, which the UI already uses for artifact previews, so the UI takes no dependency
/// on the deployment or serving capabilities. A request is counted once, at its first row (<c>row</c> = 0), with its
/// latency; memory holds one latency per request of the window, nothing else per row.
/// </summary>
public static class EndpointTrafficReader
{
    /// <summary>The name shown for rows logged without a variant (the model served alone under the endpoint's name).</summary>
    public const string NoVariant = "(none)";

    public static async Task<EndpointTraffic> ReadAsync(string logFolder, string endpoint, long startMs, long endMs, CancellationToken ct)
    {
        var minutes = (int)Math.Max(1, (endMs - startMs + EndpointTraffic.MinuteMs - 1) / EndpointTraffic.MinuteMs);
        var tallies = new Dictionary<string, Tally>(StringComparer.Ordinal);
        var unreadable = new List<string>();
        foreach (var file in InferenceLogLayout.FilesIn(logFolder, endpoint, startMs, endMs))
        {
            try
            {
                await ReadFileAsync(file, startMs, endMs, minutes, tallies, ct).ConfigureAwait(false);
            }
            catch (FileNotFoundException)
            {
                // removed by retention while the window was read
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One damaged file must not take the page down: it is named on the page instead.
                unreadable.Add(Path.GetFileName(file));
            }
        }
        var variants = tallies
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => t.Value.Figures(t.Key))
            .ToList();
        return new EndpointTraffic(startMs, endMs, variants, unreadable);
    }

    private sealed class Tally(int minutes)
    {
        public long Rows;
        public readonly List<double> Latencies = [];
        public readonly long[] PerMinute = new long[minutes];

        public VariantTraffic Figures(string variant)
        {
            var sorted = Latencies.Order().ToArray();
            return new VariantTraffic(variant, sorted.Length, Rows, Quantile(sorted, 0.5), Quantile(sorted, 0.99), PerMinute);
        }
    }

    /// <summary>The nearest-rank quantile of sorted values; null when there are none.</summary>
    public static double? Quantile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static async Task ReadFileAsync(string file, long startMs, long endMs, int minutes, Dictionary<string, Tally> tallies, CancellationToken ct)
    {
        await using var stream = File.OpenRead(file);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: ct).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields();
        DataField? Field(string name) => fields.FirstOrDefault(f => f.Name == name);
        var (timestampField, rowField, variantField, latencyField) = (Field("timestamp"), Field("row"), Field("variant"), Field("latency_ms"));
        if (timestampField is null) throw new InvalidDataException($"{file} has no timestamp column: it is not an inference log file.");
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            using var rowGroup = reader.OpenRowGroupReader(group);
            var count = checked((int)rowGroup.RowCount);
            var timestamps = await NumbersAsync(rowGroup, timestampField, count, ct).ConfigureAwait(false);
            var rowsInRequest = rowField is null ? null : await NumbersAsync(rowGroup, rowField, count, ct).ConfigureAwait(false);
            var variants = variantField is null ? null : await TextsAsync(rowGroup, variantField, count, ct).ConfigureAwait(false);
            var latencies = latencyField is null ? null : await NumbersAsync(rowGroup, latencyField, count, ct).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                if (timestamps[i] is not { } ts || ts < startMs || ts >= endMs) continue;
                var name = variants?[i] is { Length: > 0 } v ? v : NoVariant;
                if (!tallies.TryGetValue(name, out var tally)) tallies[name] = tally = new Tally(minutes);
                tally.Rows++;
                // Without a row column every row is its own request.
                if (rowsInRequest is not null && rowsInRequest[i] is not 0) continue;
                tally.PerMinute[Math.Min(minutes - 1, (int)(((long)ts - startMs) / EndpointTraffic.MinuteMs))]++;
                if (latencies?[i] is { } latency && double.IsFinite(latency)) tally.Latencies.Add(latency);
            }
        }
    }

    private static Task<double?[]> NumbersAsync(ParquetRowGroupReader rowGroup, DataField field, int count, CancellationToken ct) =>
        InferenceLogColumns.NumbersAsync(rowGroup, field, count, ct);

    private static Task<string?[]> TextsAsync(ParquetRowGroupReader rowGroup, DataField field, int count, CancellationToken ct) =>
        InferenceLogColumns.TextsAsync(rowGroup, field, count, ct);
}
