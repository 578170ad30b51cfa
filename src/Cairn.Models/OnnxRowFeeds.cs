using Microsoft.ML.OnnxRuntime;

namespace Cairn.Models;

/// <summary>Rows of named values as ONNX Runtime feeds, one tensor per graph input (batch first), checked as <see cref="OnnxPredictor"/> checks them.</summary>
internal static class OnnxRowFeeds
{
    /// <summary>The feeds of <paramref name="inputs"/> for <paramref name="rows"/>; inputs not in <paramref name="required"/> may be absent and take default values.</summary>
    /// <param name="inputs">The graph's inputs, as the session describes them.</param>
    /// <param name="rows">The rows.</param>
    /// <param name="required">The inputs every row must have.</param>
    /// <param name="firstRow">The request row the first of these is, for error messages.</param>
    /// <exception cref="CairnException">A required input is missing, or a value has the wrong type or width (the message names the row).</exception>
    public static List<NamedOnnxValue> Feeds(IReadOnlyDictionary<string, NodeMetadata> inputs, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, IReadOnlySet<string> required, int firstRow = 0)
    {
        var feeds = new List<NamedOnnxValue>();
        foreach (var (name, meta) in inputs)
        {
            int[] tail = [.. meta.Dimensions.Skip(1).Select(d => Math.Max(d, 1))];
            var width = tail.Aggregate(1, (a, d) => a * d);
            feeds.Add(TensorArrays.Slice(name, RowValues(rows, required, name, width, meta.ElementType, firstRow), 0, rows.Count, width, tail));
        }
        return feeds;
    }

    /// <summary>A column's values for these rows, as the graph's element type.</summary>
    private static Array RowValues(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, IReadOnlySet<string> required, string name, int width, Type type, int firstRow) => Type.GetTypeCode(type) switch
    {
        TypeCode.Single => Values(rows, required, name, width, 0f, firstRow),
        TypeCode.Double => Values(rows, required, name, width, 0d, firstRow),
        TypeCode.Int64 => Values(rows, required, name, width, 0L, firstRow),
        TypeCode.Int32 => Values(rows, required, name, width, 0, firstRow),
        TypeCode.Int16 => Values(rows, required, name, width, (short)0, firstRow),
        TypeCode.SByte => Values(rows, required, name, width, (sbyte)0, firstRow),
        TypeCode.UInt64 => Values(rows, required, name, width, 0UL, firstRow),
        TypeCode.UInt32 => Values(rows, required, name, width, 0U, firstRow),
        TypeCode.UInt16 => Values(rows, required, name, width, (ushort)0, firstRow),
        TypeCode.Byte => Values(rows, required, name, width, (byte)0, firstRow),
        TypeCode.Boolean => Values(rows, required, name, width, false, firstRow),
        TypeCode.String => Values(rows, required, name, width, "", firstRow),
        _ => throw CairnException.InvalidParameter($"ONNX input '{name}' has element type {type.Name}, which Cairn cannot feed yet."),
    };

    private static T[] Values<T>(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, IReadOnlySet<string> required, string name, int width, T fallback, int firstRow)
    {
        var values = new T[rows.Count * width];
        for (var i = 0; i < rows.Count; i++)
        {
            if (!rows[i].TryGetValue(name, out var value))
            {
                if (required.Contains(name))
                    throw CairnException.InvalidParameter($"Missing input '{name}' in row {firstRow + i}: the model needs every input of its signature.");
                for (var j = 0; j < width; j++) values[i * width + j] = fallback;
                continue;
            }
            if (width == 1 && value is not System.Collections.IEnumerable || value is string)
            {
                values[i * width] = ModelRows.Convert<T>(value, name, firstRow + i);
                continue;
            }
            var items = value switch
            {
                System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Array } json => json.EnumerateArray().Cast<object?>().ToList(),
                System.Collections.IEnumerable sequence => sequence.Cast<object?>().ToList(),
                // A whole row missing (null) is not a row of missing values: its width is unknown.
                _ => throw CairnException.InvalidParameter($"Invalid value for input '{name}' in row {firstRow + i}: expected {width} values, got {(MissingValues.IsMissing(value) ? "a missing value" : "one")}."),
            };
            if (items.Count != width)
                throw CairnException.InvalidParameter($"Invalid value for input '{name}' in row {firstRow + i}: expected {width} values, got {items.Count}.");
            for (var j = 0; j < width; j++) values[i * width + j] = ModelRows.Convert<T>(items[j], $"{name}[{j}]", firstRow + i);
        }
        return values;
    }
}
