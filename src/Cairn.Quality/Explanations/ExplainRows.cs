using System.Text.Json;
using Cairn.Data;
using Cairn.Models;
using Cairn.Quality.ModelTests;
using Cairn.Quality.Tables;

namespace Cairn.Quality.Explanations;

/// <summary>Rows of a model's inputs read from a file, and whether the file held more than were read.</summary>
/// <param name="Source">Where they came from, for messages.</param>
/// <param name="Rows">The rows, typed as the model's signature says.</param>
/// <param name="Truncated">Whether the file has rows past the limit that were not read.</param>
public sealed record InputRows(string Source, IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows, bool Truncated);

/// <summary>
/// Reads rows of a model's inputs from a CSV, Parquet or JSON file (MLflow's split orient
/// <c>{"columns": [...], "data": [[...]]}</c> or an array of objects), or a <c>data:/</c>
/// version: each input reads the column of its name (ignoring case), typed as the signature says.
/// </summary>
public static class ExplainRows
{
    /// <summary>The most rows any explanation reads from one file.</summary>
    public const int MaxRows = 10_000;

    /// <summary>Reads up to <paramref name="maxRows"/> rows.</summary>
    /// <param name="pathOrUri">A .csv, .parquet or .json file, or <c>data:/name@version</c> (through <paramref name="client"/> and the data cache of <paramref name="workspaceDirectory"/>).</param>
    /// <param name="signature">The model's signature (its inputs are read).</param>
    /// <param name="client">The store a <c>data:/</c> URI is resolved in.</param>
    /// <param name="workspaceDirectory">The folder relative paths and the data cache are found from; default: the current folder.</param>
    /// <param name="maxRows">How many rows to read at most (1 to <see cref="MaxRows"/>).</param>
    /// <param name="ct">Cancels the reading.</param>
    /// <exception cref="CairnException">A missing or unreadable file, a missing input column, a value of the wrong type, or a limit out of range.</exception>
    public static async Task<InputRows> ReadAsync(string pathOrUri, ModelSignature signature, CairnClient? client, string? workspaceDirectory, int maxRows, CancellationToken ct = default)
    {
        if (maxRows is < 1 or > MaxRows) throw CairnException.InvalidParameter($"The row limit must be between 1 and {MaxRows}; {maxRows} was given.");
        if (signature.Inputs.Count == 0) throw CairnException.InvalidParameter("The model's signature has no inputs, so no rows can be read for it.");
        if (!DataUri.IsDataUri(pathOrUri) && pathOrUri.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return ReadJson(pathOrUri, signature, workspaceDirectory, maxRows);
        var source = await DataSource.ResolveAsync(pathOrUri, client, workspaceDirectory, ct).ConfigureAwait(false);
        return await ReadTableAsync(source, signature, maxRows, ct).ConfigureAwait(false);
    }

    private static async Task<InputRows> ReadTableAsync(DataSource source, ModelSignature signature, int maxRows, CancellationToken ct)
    {
        await using var reader = await source.OpenAsync(ct).ConfigureAwait(false);
        var fields = reader.Fields;
        var bound = signature.Inputs.Select(input => (Input: input, Field: FieldOf(fields, input.Name)
            ?? throw CairnException.InvalidParameter($"{reader.Source} has no column for the model input '{input.Name}' (its columns: {string.Join(", ", fields.Select(f => f.Name))}; the model's inputs: {string.Join(", ", signature.Inputs.Select(i => i.Name))}).")))
            .ToList();
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        await foreach (var batch in reader.ReadAsync(bound.Select(b => b.Field).ToHashSet(), ct).ConfigureAwait(false))
        {
            for (var i = 0; i < batch.RowCount; i++)
            {
                if (rows.Count == maxRows) return new InputRows(reader.Source, rows, Truncated: true);
                var row = new Dictionary<string, object?>(bound.Count, StringComparer.Ordinal);
                foreach (var (input, field) in bound) row[input.Name] = Value(batch[field], i, input, reader.Source, rows.Count + 1);
                rows.Add(row);
            }
        }
        return new InputRows(reader.Source, rows, Truncated: false);
    }

    private static int? FieldOf(IReadOnlyList<TableField> fields, string name)
    {
        var exact = fields.IndexOf(name);
        if (exact >= 0) return exact;
        for (var i = 0; i < fields.Count; i++)
            if (fields[i].Name.Equals(name, StringComparison.OrdinalIgnoreCase)) return i;
        return null;
    }

    private static object? Value(ColumnValues values, int i, ColumnSpec input, string source, int row)
    {
        if (InputTyping.IsNumeric(input))
        {
            if (values.TryGetNumber(i, out var number)) return InputTyping.FromNumber(number, input);
            return values.IsMissing(i) ? InputTyping.FromNumber(double.NaN, input)
                : throw CairnException.InvalidParameter($"{source} row {row}: the input '{input.Name}' is '{values.GetText(i)}', not a number.");
        }
        return InputTyping.Convert(values.GetText(i) ?? "", input, out var error)
            ?? throw CairnException.InvalidParameter($"{source} row {row}: the input '{input.Name}': {error}.");
    }

    private static InputRows ReadJson(string path, ModelSignature signature, string? workspaceDirectory, int maxRows)
    {
        var full = Path.GetFullPath(path, Path.GetFullPath(workspaceDirectory ?? Directory.GetCurrentDirectory()));
        if (!File.Exists(full)) throw CairnException.InvalidParameter($"The data file '{path}' does not exist.");
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(full));
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw CairnException.InvalidParameter($"{path} is not valid JSON: {e.Message}");
        }
        var objects = root.ValueKind switch
        {
            JsonValueKind.Array => root.EnumerateArray().Select((item, r) => item.ValueKind == JsonValueKind.Object
                ? item.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase)
                : throw CairnException.InvalidParameter($"{path} item {r + 1} is not an object: give an array of objects or {{\"columns\": [...], \"data\": [[...]]}}.")).ToList(),
            JsonValueKind.Object when root.TryGetProperty("columns", out var columns) && root.TryGetProperty("data", out var data)
                && columns.ValueKind == JsonValueKind.Array && data.ValueKind == JsonValueKind.Array => SplitRows(path, columns, data),
            _ => throw CairnException.InvalidParameter($"{path} holds neither an array of objects nor {{\"columns\": [...], \"data\": [[...]]}}."),
        };
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        foreach (var item in objects.Take(maxRows))
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var input in signature.Inputs)
            {
                if (!item.TryGetValue(input.Name, out var value))
                    throw CairnException.InvalidParameter($"{path} row {rows.Count + 1} has no value for the model input '{input.Name}' (the model's inputs: {string.Join(", ", signature.Inputs.Select(i => i.Name))}).");
                row[input.Name] = JsonValue(value, input, path, rows.Count + 1);
            }
            rows.Add(row);
        }
        return new InputRows(path, rows, objects.Count > maxRows);
    }

    private static List<Dictionary<string, JsonElement>> SplitRows(string path, JsonElement columns, JsonElement data)
    {
        var names = columns.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? c.GetString()!
            : throw CairnException.InvalidParameter($"{path}: every entry of \"columns\" must be a string.")).ToList();
        return data.EnumerateArray().Select((r, i) =>
        {
            if (r.ValueKind != JsonValueKind.Array || r.GetArrayLength() != names.Count)
                throw CairnException.InvalidParameter($"{path}: data row {i + 1} must be an array of {names.Count} values, one per column.");
            return names.Zip(r.EnumerateArray()).ToDictionary(p => p.First, p => p.Second, StringComparer.OrdinalIgnoreCase);
        }).ToList();
    }

    private static object? JsonValue(JsonElement value, ColumnSpec input, string path, int row)
    {
        if (InputTyping.IsNumeric(input))
            return value.ValueKind switch
            {
                JsonValueKind.Number => InputTyping.FromNumber(value.GetDouble(), input),
                JsonValueKind.Null => InputTyping.FromNumber(double.NaN, input),
                _ => throw CairnException.InvalidParameter($"{path} row {row}: the input '{input.Name}' is {value.GetRawText()}, not a number."),
            };
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            JsonValueKind.Null => "",
            _ => value.GetRawText(),
        };
        return InputTyping.Convert(text, input, out var error)
            ?? throw CairnException.InvalidParameter($"{path} row {row}: the input '{input.Name}': {error}.");
    }
}
