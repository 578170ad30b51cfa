using Cairn.Monitoring;
using Cairn.Server.Ui.Endpoints;
using Parquet;
using Parquet.Schema;

namespace Cairn.Server.Ui.Explanations;

/// <summary>A row of the inference log that serving explained (<c>--explain-log-rate</c>): its request, its inputs and their SHAP values.</summary>
public sealed record ExplainedRow(string RequestId, long Row, long Timestamp, string? Variant, double BaseValue, IReadOnlyList<Attribution> Attributions)
{
    /// <summary>The explained output: the base value plus the (finite) SHAP values.</summary>
    public double Output => BaseValue + Attributions.Where(a => double.IsFinite(a.Shap)).Sum(a => a.Shap);

    /// <summary>The attribution with the largest |SHAP| value, or null when there is none.</summary>
    public Attribution? Strongest => Attributions.Where(a => double.IsFinite(a.Shap)).MaxBy(a => Math.Abs(a.Shap));
}

/// <summary>The newest explained rows of a window, and the log files that could not be read.</summary>
public sealed record ExplainedRows(IReadOnlyList<ExplainedRow> Rows, IReadOnlyList<string> Unreadable);

/// <summary>
/// Finds the explained rows of a model's window of the inference log (its partition, the name it is
/// served under: the registered name by default), of one version: rows whose
/// <c>output_shap_base_value</c> is set, each feature's SHAP value read from <c>output_shap_&lt;feature&gt;</c>
/// and its value from <c>input_&lt;feature&gt;</c>. Files without SHAP columns are skipped unread.
/// </summary>
public static class ExplainedRowReader
{
    /// <summary>The prefix of a SHAP value's column: <c>output_shap_&lt;feature&gt;</c>.</summary>
    public const string ShapPrefix = "output_shap_";
    /// <summary>The column of the base value; a row with it set was explained.</summary>
    public const string BaseValueColumn = ShapPrefix + "base_value";
    /// <summary>The prefix of an input's column.</summary>
    public const string InputPrefix = "input_";

    /// <summary>The newest <paramref name="max"/> explained rows of <paramref name="version"/> in [start, end), newest first.</summary>
    public static async Task<ExplainedRows> ReadAsync(string logFolder, string model, string version, long startMs, long endMs, int max, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var found = new List<ExplainedRow>();
        var unreadable = new List<string>();
        foreach (var file in InferenceLogLayout.FilesIn(logFolder, model, startMs, endMs))
        {
            try
            {
                await ReadFileAsync(file, version, startMs, endMs, found, ct).ConfigureAwait(false);
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
            // Only the newest are shown: memory holds a few times that many, whatever the window holds.
            if (found.Count > 4 * max) Keep(found, max);
        }
        Keep(found, max);
        return new ExplainedRows(found, unreadable);
    }

    private static void Keep(List<ExplainedRow> rows, int max)
    {
        var newest = rows.OrderByDescending(r => r.Timestamp).ThenBy(r => r.RequestId, StringComparer.Ordinal).ThenBy(r => r.Row).Take(max).ToList();
        rows.Clear();
        rows.AddRange(newest);
    }

    private static async Task ReadFileAsync(string file, string version, long startMs, long endMs, List<ExplainedRow> found, CancellationToken ct)
    {
        await using var stream = File.OpenRead(file);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: ct).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields();
        DataField? Field(string name) => fields.FirstOrDefault(f => f.Name == name);
        if (Field(BaseValueColumn) is not { } baseField) return;
        var timestampField = Field("timestamp") ?? throw new InvalidDataException($"{file} has no timestamp column: it is not an inference log file.");
        var shapFields = fields.Where(f => f.Name.StartsWith(ShapPrefix, StringComparison.Ordinal) && f.Name != BaseValueColumn).ToList();
        var features = shapFields.Select(f => f.Name[ShapPrefix.Length..]).ToList();
        var (requestField, rowField, variantField, versionField) = (Field("request_id"), Field("row"), Field("variant"), Field("version"));
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            using var rowGroup = reader.OpenRowGroupReader(group);
            var count = checked((int)rowGroup.RowCount);
            var bases = await InferenceLogColumns.NumbersAsync(rowGroup, baseField, count, ct).ConfigureAwait(false);
            var timestamps = await InferenceLogColumns.NumbersAsync(rowGroup, timestampField, count, ct).ConfigureAwait(false);
            async Task<string?[]?> TextOf(DataField? field) =>
                field is null ? null : await InferenceLogColumns.AsTextAsync(rowGroup, field, count, ct).ConfigureAwait(false);
            var versions = await TextOf(versionField).ConfigureAwait(false);
            var explained = Enumerable.Range(0, count)
                .Where(i => bases[i] is { } b && double.IsFinite(b) && timestamps[i] is { } ts && ts >= startMs && ts < endMs && versions?[i] == version).ToList();
            if (explained.Count == 0) continue;
            var requests = await TextOf(requestField).ConfigureAwait(false);
            var rows = rowField is null ? null : await InferenceLogColumns.NumbersAsync(rowGroup, rowField, count, ct).ConfigureAwait(false);
            var variants = await TextOf(variantField).ConfigureAwait(false);
            var shap = new double?[features.Count][];
            var inputs = new string?[]?[features.Count];
            for (var f = 0; f < features.Count; f++)
            {
                shap[f] = await InferenceLogColumns.NumbersAsync(rowGroup, shapFields[f], count, ct).ConfigureAwait(false);
                inputs[f] = await TextOf(Field(InputPrefix + features[f])).ConfigureAwait(false);
            }
            foreach (var i in explained)
            {
                var attributions = features.Select((feature, f) => new Attribution(feature, inputs[f]?[i], shap[f][i] ?? double.NaN)).ToList();
                found.Add(new ExplainedRow(requests?[i] ?? "", (long)(rows?[i] ?? 0), (long)timestamps[i]!.Value,
                    variants?[i] is { Length: > 0 } v ? v : null, bases[i]!.Value, attributions));
            }
        }
    }
}
