using System.Globalization;
using System.Text.Json;
using Cairn.Models;

namespace Cairn.Serving.Protocols;

/// <summary>
/// MLflow's scoring inputs turned into rows of named values: <c>dataframe_split</c>,
/// <c>dataframe_records</c>, <c>instances</c>, <c>inputs</c> (JSON, exactly one of them, as
/// MLflow requires) and CSV (<see cref="ScoringCsv"/>); Azure ML's <c>input_data</c> and
/// <c>data</c>. Anything else is a 400 that says which formats are accepted.
/// </summary>
public static class ScoringInput
{
    public const string Formats = "a JSON object with one of dataframe_split, dataframe_records, instances or inputs, or CSV (Content-Type: text/csv)";

    private static readonly string[] FormatKeys = ["dataframe_split", "dataframe_records", "instances", "inputs"];

    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromJson(JsonElement root, ModelSignature signature)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw CairnException.InvalidParameter($"The request body must be {Formats}; received {(root.ValueKind == JsonValueKind.Array ? "a list" : "a " + root.ValueKind.ToString().ToLowerInvariant())}.");
        var present = FormatKeys.Where(k => root.TryGetProperty(k, out _)).ToList();
        if (present.Count > 1)
            throw CairnException.InvalidParameter($"The request has {string.Join(" and ", present)}: send exactly one of dataframe_split, dataframe_records, instances or inputs.");
        if (root.TryGetProperty("dataframe_split", out var split)) return FromSplit(split, "dataframe_split");
        if (root.TryGetProperty("dataframe_records", out var records)) return FromRecords(records, "dataframe_records");
        if (root.TryGetProperty("instances", out var instances)) return FromInstances(instances, signature, "instances");
        if (root.TryGetProperty("inputs", out var inputs))
            return inputs.ValueKind == JsonValueKind.Object ? FromColumns(inputs, "inputs") : FromInstances(inputs, signature, "inputs");
        throw CairnException.InvalidParameter($"The request has none of dataframe_split, dataframe_records, instances or inputs: send {Formats}.");
    }

    /// <summary>True when the body is in one of Azure ML's own shapes (<c>input_data</c> or <c>data</c>) rather than MLflow's.</summary>
    public static bool IsAzureFormat(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("input_data", out _) || root.TryGetProperty("data", out _))
        && !FormatKeys.Any(k => root.TryGetProperty(k, out _));

    /// <summary>
    /// Azure ML: <c>{"input_data": ...}</c> as its MLflow deployments take it (split orientation
    /// <c>{"columns", "index", "data"}</c>, a dictionary of columns, or a list of rows), or the
    /// custom-script convention <c>{"data": [...]}</c> (a list of rows).
    /// </summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromAzure(JsonElement root, ModelSignature signature)
    {
        if (root.TryGetProperty("input_data", out var input))
        {
            if (input.ValueKind == JsonValueKind.Object)
                return input.TryGetProperty("columns", out _) && input.TryGetProperty("data", out _) ? FromSplit(input, "input_data") : FromColumns(input, "input_data");
            return FromInstances(input, signature, "input_data");
        }
        return FromInstances(root.GetProperty("data"), signature, "data");
    }

    private static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromSplit(JsonElement split, string field)
    {
        if (split.ValueKind != JsonValueKind.Object || !split.TryGetProperty("columns", out var columnsJson) || !split.TryGetProperty("data", out var data)
            || columnsJson.ValueKind != JsonValueKind.Array || data.ValueKind != JsonValueKind.Array)
            throw CairnException.InvalidParameter($"{field} needs 'columns' (an array of names) and 'data' (an array of rows).");
        var columns = columnsJson.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? c.GetString()! : c.GetRawText()).ToList();
        var duplicate = columns.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw CairnException.InvalidParameter($"{field} names column '{duplicate.Key}' more than once: each column must be named once.");
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        var index = 0;
        foreach (var row in data.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != columns.Count)
                throw CairnException.InvalidParameter($"{field} row {index} has {(row.ValueKind == JsonValueKind.Array ? row.GetArrayLength() : 0)} values for {columns.Count} columns.");
            rows.Add(columns.Zip(row.EnumerateArray()).ToDictionary(p => p.First, p => (object?)p.Second.Clone()));
            index++;
        }
        return rows;
    }

    private static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromRecords(JsonElement records, string field)
    {
        if (records.ValueKind != JsonValueKind.Array) throw CairnException.InvalidParameter($"{field} must be an array of objects.");
        return records.EnumerateArray().Select((r, i) => r.ValueKind == JsonValueKind.Object
            ? Row(r, $"{field}[{i}]")
            : throw CairnException.InvalidParameter($"{field}[{i}] must be an object of column values.")).ToList();
    }

    /// <summary>Objects are rows; arrays are positional values in the order of the signature's inputs; with one input, each item is its value.</summary>
    private static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromInstances(JsonElement instances, ModelSignature signature, string field)
    {
        if (instances.ValueKind != JsonValueKind.Array) throw CairnException.InvalidParameter($"{field} must be an array.");
        var names = signature.Inputs.Select(i => i.Name).ToList();
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        var index = 0;
        foreach (var item in instances.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object) rows.Add(Row(item, $"{field}[{index}]"));
            else if (item.ValueKind == JsonValueKind.Array && names.Count > 1)
            {
                if (item.GetArrayLength() != names.Count)
                    throw CairnException.InvalidParameter($"{field}[{index}] has {item.GetArrayLength()} values; the model takes {names.Count} inputs ({string.Join(", ", names)}).");
                rows.Add(names.Zip(item.EnumerateArray()).ToDictionary(p => p.First, p => (object?)p.Second.Clone()));
            }
            else if (names.Count == 1)
            {
                // A one-cell row ([0.9]) of a one-column model is that cell, as a DataFrame row would be; a tensor input takes the array whole.
                var value = item.ValueKind == JsonValueKind.Array && item.GetArrayLength() == 1 && !signature.Inputs[0].IsTensor ? item[0] : item;
                rows.Add(new Dictionary<string, object?> { [names[0]] = value.Clone() });
            }
            else throw CairnException.InvalidParameter($"{field}[{index}] must be an object of column values or an array of {names.Count} values.");
            index++;
        }
        return rows;
    }

    private static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromColumns(JsonElement columns, string field)
    {
        var values = columns.EnumerateObject().Select(p => (p.Name, Values: p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray().ToList() : [p.Value])).ToList();
        var duplicate = values.GroupBy(v => v.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw CairnException.InvalidParameter($"{field} names column '{duplicate.Key}' more than once: each column must be named once.");
        var count = values.Count == 0 ? 0 : values[0].Values.Count;
        if (values.Any(v => v.Values.Count != count))
            throw CairnException.InvalidParameter($"Every column of '{field}' must have the same number of values.");
        return Enumerable.Range(0, count).Select(i => (IReadOnlyDictionary<string, object?>)values.ToDictionary(v => v.Name, v => (object?)v.Values[i].Clone())).ToList();
    }

    /// <summary>A JSON object as a row; a name given twice (which JSON allows) is a 400 rather than a lost value.</summary>
    private static Dictionary<string, object?> Row(JsonElement item, string where)
    {
        var row = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in item.EnumerateObject())
            if (!row.TryAdd(property.Name, property.Value.Clone()))
                throw CairnException.InvalidParameter($"{where} names column '{property.Name}' more than once: each column must be named once.");
        return row;
    }

    /// <summary>CSV with a header row, or without one (see <see cref="ScoringCsv"/>).</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromCsv(string text, ModelSignature signature) => ScoringCsv.Read(text, signature);

    /// <summary>
    /// A CSV cell as the signature's type: numbers for numeric columns, booleans for boolean ones,
    /// else the text. An empty or NaN cell of a numeric or boolean column is missing (null), which
    /// <see cref="MissingValues"/> turns into NaN or a 400 naming the column.
    /// </summary>
    internal static bool TryParse(string cell, string? type, out object? value)
    {
        if (type is "float" or "double" or "long" or "integer" or "boolean" && MissingValues.IsMissingCell(cell))
        {
            value = null;
            return true;
        }
        switch (type)
        {
            case "float" or "double" or "long" or "integer":
                var parsed = double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var number);
                value = number;
                return parsed;
            case "boolean":
                var ok = bool.TryParse(cell, out var flag);
                value = flag;
                return ok;
            default:
                value = cell;
                return true;
        }
    }
}
