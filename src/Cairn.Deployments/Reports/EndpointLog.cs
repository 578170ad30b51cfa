using Cairn.Monitoring;
using Cairn.Quality.Tables;

namespace Cairn.Deployments.Reports;

/// <summary>One logged row of an endpoint: which request, which variant answered (or which shadow scored the copy), and its prediction value and label.</summary>
public sealed record LoggedPrediction(string RequestId, long Row, long Timestamp, string? Variant, string Version, double? Value, string? Label, double LatencyMs);

/// <summary>
/// Reads an endpoint's rows from the inference log (the folder <c>cairn deploy serve --inference-log</c>
/// writes, partitioned by the endpoint's name), for the A/B and shadow reports. The prediction
/// value is the probability output when there is one, else the score, else the first numeric
/// output; the label is the predicted_label (or label) output.
/// </summary>
public static class EndpointLog
{
    public static async Task<IReadOnlyList<LoggedPrediction>> ReadAsync(string logFolder, string endpoint, long startMs, long endMs, CancellationToken ct = default)
    {
        var rows = new List<LoggedPrediction>();
        foreach (var file in InferenceLogLayout.FilesIn(logFolder, endpoint, startMs, endMs))
        {
            ParquetTableReader reader;
            try { reader = await ParquetTableReader.OpenAsync(file, Path.GetFileName(file), ct).ConfigureAwait(false); }
            catch (FileNotFoundException) { continue; } // removed by retention meanwhile
            await using (reader.ConfigureAwait(false))
            {
                var fields = reader.Fields;
                int Field(string name) => fields.IndexOf(name);
                var (id, row, time, variant, version, latency) = (Field("request_id"), Field("row"), Field("timestamp"), Field("variant"), Field("version"), Field("latency_ms"));
                if (id < 0 || time < 0) throw CairnException.InvalidParameter($"{file} is not an inference log file: it has no request_id or timestamp.");
                var outputs = Enumerable.Range(0, fields.Count).Where(i => fields[i].Name.StartsWith("output_", StringComparison.Ordinal)).ToList();
                var value = outputs.FirstOrDefault(i => fields[i].Name.Equals("output_probability", StringComparison.OrdinalIgnoreCase), -1) is >= 0 and var p ? p
                    : outputs.FirstOrDefault(i => fields[i].Name.Equals("output_score", StringComparison.OrdinalIgnoreCase), -1) is >= 0 and var s ? s
                    : outputs.FirstOrDefault(i => fields[i].DeclaredType is ColumnType.Number or ColumnType.Integer, -1);
                var label = outputs.FirstOrDefault(i => fields[i].Name["output_".Length..].Replace("_", "").Equals("predictedlabel", StringComparison.OrdinalIgnoreCase)
                    || fields[i].Name.Equals("output_label", StringComparison.OrdinalIgnoreCase), -1);
                var wanted = new HashSet<int>(new[] { id, row, time, variant, version, latency, value, label }.Where(i => i >= 0));
                await foreach (var batch in reader.ReadAsync(wanted, ct).ConfigureAwait(false))
                    for (var i = 0; i < batch.RowCount; i++)
                    {
                        var timestamp = batch[time].TryGetNumber(i, out var t) ? (long)t : 0;
                        if (timestamp < startMs || timestamp >= endMs) continue;
                        rows.Add(new LoggedPrediction(batch[id].GetText(i) ?? "", row >= 0 && batch[row].TryGetNumber(i, out var r) ? (long)r : 0, timestamp,
                            variant >= 0 ? batch[variant].GetText(i) : null, version >= 0 ? batch[version].GetText(i) ?? "" : "",
                            value >= 0 && batch[value].TryGetNumber(i, out var v) ? v : null, label >= 0 ? batch[label].GetText(i)?.ToLowerInvariant() : null,
                            latency >= 0 && batch[latency].TryGetNumber(i, out var l) ? l : 0));
                    }
            }
        }
        return rows;
    }
}
