using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cairn.Models;

/// <summary>
/// Rows of named values, the common currency of predictors: built from objects, dictionaries or
/// MLflow's JSON input formats, and written as MLflow's <c>split</c>-orient input example.
/// </summary>
public static class ModelRows
{
    /// <summary>One object, a dictionary, or a sequence of either, as rows.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> From(object example)
    {
        return example switch
        {
            IReadOnlyDictionary<string, object?> row => [row],
            IDictionary<string, object?> row => [new Dictionary<string, object?>(row)],
            System.Collections.IEnumerable sequence and not string => sequence.Cast<object>().Select(Row).ToList(),
            _ => [Row(example)],
        };
    }

    private static IReadOnlyDictionary<string, object?> Row(object item) => item switch
    {
        IReadOnlyDictionary<string, object?> d => d,
        IDictionary<string, object?> d => new Dictionary<string, object?>(d),
        _ => item.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.Name, p => p.GetValue(item)),
    };

    /// <summary>MLflow's split orient: <c>{"columns": [...], "data": [[...], ...]}</c>, restricted to <paramref name="columns"/>.</summary>
    public static string ToSplitJson(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, IReadOnlyList<string> columns)
    {
        var data = new JsonArray();
        foreach (var row in rows)
            data.Add(new JsonArray(columns.Select(c => Cell(row.GetValueOrDefault(c))).ToArray()));
        return new JsonObject { ["columns"] = new JsonArray(columns.Select(c => JsonValue.Create(c)).ToArray<JsonNode?>()), ["data"] = data }
            .ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>A value as JSON; a missing number (NaN) as null, as pandas writes it, which reads back as missing.</summary>
    private static JsonNode? Cell(object? value) =>
        value is double or float && MissingValues.IsMissing(value) ? null : JsonSerializer.SerializeToNode(value);

    /// <summary>Reads rows back from MLflow's split orient.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromSplitJson(string json)
    {
        var root = JsonNode.Parse(json) ?? throw CairnException.InvalidParameter("The input example is empty.");
        var columns = root["columns"]?.AsArray().Select(c => c!.GetValue<string>()).ToList()
            ?? throw CairnException.InvalidParameter("The input example has no 'columns'.");
        return (root["data"]?.AsArray() ?? []).Select(r => (IReadOnlyDictionary<string, object?>)columns
            .Select((c, i) => (c, v: (object?)r![i]?.Deserialize<JsonElement>()))
            .ToDictionary(x => x.c, x => x.v)).ToList();
    }

    /// <summary>Converts a row value (a CLR value or a JSON element) to <typeparamref name="T"/>, naming the field when it cannot.</summary>
    public static T Convert<T>(object? value, string column, int row)
    {
        if (MissingValues.IsMissingFor(typeof(T), value)) return MissingValues.Value<T>(column, row);
        try
        {
            object? result = value switch
            {
                T typed => typed,
                JsonElement json when typeof(T) == typeof(string) => json.ValueKind == JsonValueKind.String ? json.GetString() : json.GetRawText(),
                JsonElement json when typeof(T) == typeof(bool) => json.ValueKind is JsonValueKind.True or JsonValueKind.False ? json.GetBoolean() : throw new FormatException($"expected true or false, got {json.GetRawText()}"),
                JsonElement json when json.ValueKind == JsonValueKind.Number => System.Convert.ChangeType(json.GetDouble(), typeof(T), CultureInfo.InvariantCulture),
                JsonElement json => throw new FormatException($"expected {TypeName(typeof(T))}, got {json.GetRawText()}"),
                string s when typeof(T) != typeof(string) => throw new FormatException($"expected {TypeName(typeof(T))}, got the string \"{s}\""),
                _ => System.Convert.ChangeType(value, typeof(T), CultureInfo.InvariantCulture),
            };
            return (T)result!;
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw CairnException.InvalidParameter($"Invalid value for input '{column}' in row {row}: {e.Message}.");
        }
    }

    /// <summary>A CLR input type in words for error messages ("a number", "an integer", "a boolean", "a string").</summary>
    public static string TypeName(Type type) => type == typeof(float) || type == typeof(double) ? "a number"
        : type == typeof(long) || type == typeof(int) ? "an integer"
        : type == typeof(bool) ? "a boolean" : "a string";
}
