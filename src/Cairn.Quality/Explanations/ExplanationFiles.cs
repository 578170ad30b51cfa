using System.Globalization;
using System.Text;
using System.Text.Json;
using Cairn.Models.Explain;
using Parquet;
using Parquet.Schema;

namespace Cairn.Quality.Explanations;

/// <summary>
/// Writes an explanation's rows to a file, its format chosen by extension: Parquet or CSV with the
/// columns <c>row</c>, <c>output</c>, <c>base_value</c> and <c>shap_&lt;feature&gt;</c> per feature,
/// or JSON with the method, link, output name and per row the values by feature.
/// </summary>
public static class ExplanationFiles
{
    /// <summary>Whether <paramref name="path"/> names a format <see cref="WriteAsync"/> writes.</summary>
    public static bool IsSupported(string path) => FormatOf(path) is not null;

    private static string? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".parquet" => "parquet",
        ".csv" => "csv",
        ".json" => "json",
        _ => null,
    };

    /// <summary>Writes the explanation to <paramref name="path"/> (replacing it).</summary>
    /// <exception cref="CairnException">The extension is not .parquet, .csv or .json, or the folder does not exist.</exception>
    public static async Task WriteAsync(Explanation explanation, string path, CancellationToken ct = default)
    {
        var format = FormatOf(path) ?? throw CairnException.InvalidParameter($"'{path}' names no format Cairn writes explanations in: end it with .parquet, .csv or .json.");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) throw CairnException.InvalidParameter($"The folder of '{path}' does not exist.");
        await using var stream = File.Create(path);
        switch (format)
        {
            case "parquet": await WriteParquetAsync(explanation, stream, ct).ConfigureAwait(false); break;
            case "csv": await WriteCsvAsync(explanation, stream, ct).ConfigureAwait(false); break;
            default: await JsonSerializer.SerializeAsync(stream, ToJson(explanation), cancellationToken: ct).ConfigureAwait(false); break;
        }
    }

    /// <summary>The column a feature's SHAP values are written in.</summary>
    public static string ColumnOf(string feature) => "shap_" + feature;

    private static async Task WriteParquetAsync(Explanation e, Stream stream, CancellationToken ct)
    {
        var row = new DataField<long>("row");
        var output = new DataField<double>("output");
        var baseValue = new DataField<double>("base_value");
        var shap = e.Features.Select(f => new DataField<double>(ColumnOf(f))).ToList();
        var schema = new ParquetSchema([row, output, baseValue, .. shap]);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream, cancellationToken: ct).ConfigureAwait(false);
        using var group = writer.CreateRowGroup();
        var n = e.Values.Count;
        await group.WriteAsync<long>(row, Enumerable.Range(1, n).Select(i => (long)i).ToArray()).ConfigureAwait(false);
        await group.WriteAsync<double>(output, e.Outputs.ToArray()).ConfigureAwait(false);
        await group.WriteAsync<double>(baseValue, Enumerable.Repeat(e.BaseValue, n).ToArray()).ConfigureAwait(false);
        for (var j = 0; j < shap.Count; j++) await group.WriteAsync<double>(shap[j], e.Values.Select(v => v[j]).ToArray()).ConfigureAwait(false);
    }

    private static async Task WriteCsvAsync(Explanation e, Stream stream, CancellationToken ct)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        await writer.WriteLineAsync(string.Join(",", new[] { "row", "output", "base_value" }.Concat(e.Features.Select(ColumnOf)).Select(Quote))).ConfigureAwait(false);
        for (var r = 0; r < e.Values.Count; r++)
        {
            ct.ThrowIfCancellationRequested();
            var cells = new[] { (r + 1).ToString(CultureInfo.InvariantCulture), Number(e.Outputs[r]), Number(e.BaseValue) }.Concat(e.Values[r].Select(Number));
            await writer.WriteLineAsync(string.Join(",", cells)).ConfigureAwait(false);
        }
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A CSV header cell, quoted when a feature's name holds a comma, quote or line break.</summary>
    private static string Quote(string cell) => cell.IndexOfAny([',', '"', '\n', '\r']) < 0 ? cell : "\"" + cell.Replace("\"", "\"\"") + "\"";

    /// <summary>The JSON form of an explanation (what <c>cairn explain -o json</c> prints and .json files hold).</summary>
    public static object ToJson(Explanation e) => new
    {
        method = e.Method,
        link = e.Link,
        output_name = e.OutputName,
        base_value = e.BaseValue,
        background_rows = e.BackgroundRows,
        samples = e.Samples,
        features = e.Features,
        rows = e.Values.Select((values, r) => new
        {
            row = r + 1,
            output = e.Outputs[r],
            shap = e.Features.Select((f, j) => (f, v: values[j])).ToDictionary(p => p.f, p => p.v),
            standard_errors = e.StandardErrors is { } errors ? e.Features.Select((f, j) => (f, v: errors[r][j])).ToDictionary(p => p.f, p => p.v) : null,
        }),
    };
}
