using System.Globalization;
using System.Text.Json;
using Cairn.Models;

namespace Cairn.Serving.Protocols;

/// <summary>
/// MLflow's scoring inputs turned into rows of named values: <c>dataframe_split</c>,
/// <c>dataframe_records</c>, <c>instances</c>, <c>inputs</c> (JSON) and CSV with a header row.
/// Anything else is a 400 that says which formats are accepted.
/// </summary>
public static class ScoringInput
{
    public const string Formats = "a JSON object with one of dataframe_split, dataframe_records, instances or inputs, or CSV with a header row (Content-Type: text/csv)";

    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromJson(JsonElement root, ModelSignature signature)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw CairnException.InvalidParameter($"The request body must be {Formats}.");
        if (root.TryGetProperty("dataframe_split", out var split)) return FromSplit(split);
        if (root.TryGetProperty("dataframe_records", out var records)) return FromRecords(records, "dataframe_records");
        if (root.TryGetProperty("instances", out var instances)) return FromInstances(instances, signature, "instances");
        if (root.TryGetProperty("inputs", out var inputs))
            return inputs.ValueKind == JsonValueKind.Object ? FromColumns(inputs) : FromInstances(inputs, signature, "inputs");
        throw CairnException.InvalidParameter($"The request has none of dataframe_split, dataframe_records, instances or inputs: send {Formats}.");
    }

    private static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromSplit(JsonElement split)
    {
        if (split.ValueKind != JsonValueKind.Object || !split.TryGetProperty("columns", out var columnsJson) || !split.TryGetProperty("data", out var data))
            throw CairnException.InvalidParameter("dataframe_split needs 'columns' and 'data'.");
        var columns = columnsJson.EnumerateArray().Select(c => c.GetString() ?? "").ToList();
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        var index = 0;
        foreach (var row in data.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != columns.Count)
                throw CairnException.InvalidParameter($"dataframe_split row {index} has {(row.ValueKind == JsonValueKind.Array ? row.GetArrayLength() : 0)} values for {columns.Count} columns.");
            rows.Add(columns.Zip(row.EnumerateArray()).ToDictionary(p => p.First, p => (object?)p.Second.Clone()));
            index++;
        }
        return rows;
    }

    private static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromRecords(JsonElement records, string field)
    {
        if (records.ValueKind != JsonValueKind.Array) throw CairnException.InvalidParameter($"{field} must be an array of objects.");
        return records.EnumerateArray().Select((r, i) => r.ValueKind == JsonValueKind.Object
            ? (IReadOnlyDictionary<string, object?>)r.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())
            : throw CairnException.InvalidParameter($"{field}[{i}] must be an object of column values.")).ToList();
    }

    /// <summary>Objects are rows; arrays are positional values in the order of the signature's inputs.</summary>
    private static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromInstances(JsonElement instances, ModelSignature signature, string field)
    {
        if (instances.ValueKind != JsonValueKind.Array) throw CairnException.InvalidParameter($"{field} must be an array.");
        var names = signature.Inputs.Select(i => i.Name).ToList();
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        var index = 0;
        foreach (var item in instances.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object) rows.Add(item.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone()));
            else if (item.ValueKind == JsonValueKind.Array && names.Count > 1)
            {
                if (item.GetArrayLength() != names.Count)
                    throw CairnException.InvalidParameter($"{field}[{index}] has {item.GetArrayLength()} values; the model takes {names.Count} inputs ({string.Join(", ", names)}).");
                rows.Add(names.Zip(item.EnumerateArray()).ToDictionary(p => p.First, p => (object?)p.Second.Clone()));
            }
            else if (names.Count == 1) rows.Add(new Dictionary<string, object?> { [names[0]] = item.Clone() });
            else throw CairnException.InvalidParameter($"{field}[{index}] must be an object of column values or an array of {names.Count} values.");
            index++;
        }
        return rows;
    }

    private static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromColumns(JsonElement columns)
    {
        var values = columns.EnumerateObject().Select(p => (p.Name, Values: p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray().ToList() : [p.Value])).ToList();
        var count = values.Count == 0 ? 0 : values[0].Values.Count;
        if (values.Any(v => v.Values.Count != count))
            throw CairnException.InvalidParameter("Every column of 'inputs' must have the same number of values.");
        return Enumerable.Range(0, count).Select(i => (IReadOnlyDictionary<string, object?>)values.ToDictionary(v => v.Name, v => (object?)v.Values[i].Clone())).ToList();
    }

    /// <summary>CSV with a header row; numeric signature columns are parsed as numbers.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromCsv(string text, ModelSignature signature)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) throw CairnException.InvalidParameter("The CSV body is empty: send a header row and one row per prediction.");
        var header = lines[0].Split(',').Select(h => h.Trim()).ToList();
        var types = signature.Inputs.ToDictionary(c => c.Name, c => c.Type);
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        for (var i = 1; i < lines.Count; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != header.Count) throw CairnException.InvalidParameter($"CSV row {i} has {cells.Length} values for {header.Count} columns.");
            rows.Add(header.Zip(cells).ToDictionary(p => p.First, p => Parse(p.Second.Trim(), types.GetValueOrDefault(p.First), p.First, i)));
        }
        return rows;
    }

    private static object? Parse(string cell, string? type, string column, int row) => type switch
    {
        "float" or "double" or "long" or "integer" => double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw CairnException.InvalidParameter($"Invalid value for input '{column}' in CSV row {row}: expected a number, got \"{cell}\"."),
        "boolean" => bool.TryParse(cell, out var flag) ? flag : throw CairnException.InvalidParameter($"Invalid value for input '{column}' in CSV row {row}: expected true or false."),
        _ => cell,
    };
}
