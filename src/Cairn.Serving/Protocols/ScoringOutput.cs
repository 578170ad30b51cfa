using System.Globalization;
using System.Text;
using System.Text.Json;
using Cairn.Models;

namespace Cairn.Serving.Protocols;

/// <summary>
/// The shapes scored rows take on the MLflow-family routes. MLflow's server writes whatever the
/// model's <c>predict</c> returned: a DataFrame as a list of records, a Series or 1-D array as a
/// list of values, a dictionary of tensors as a dictionary of lists. Cairn picks the one that
/// matches the model's signature (see docs/serving.md, "Response shapes").
/// </summary>
public static class ScoringOutput
{
    /// <summary>
    /// MLflow's <c>predictions</c> value. Tensor-based signature (every input a tensor, as MLflow
    /// passes a dictionary of arrays to such a model): <c>{"output": [row values...]}</c>, or a plain
    /// list for one unnamed output. Column-based signature: a list of values for one output, a
    /// list of records for several.
    /// </summary>
    public static object? Mlflow(IReadOnlyList<IReadOnlyDictionary<string, object?>> results, ModelSignature signature)
    {
        var names = OutputNames(results, signature);
        var tensorBased = signature.Inputs.Count > 0 && signature.Inputs.All(i => i.IsTensor);
        if (tensorBased)
        {
            if (names is [""]) return Column(results, "");
            var columns = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var name in names) columns[name] = Column(results, name);
            return columns;
        }
        return names.Count == 1 ? Column(results, names[0]) : results;
    }

    /// <summary>TensorFlow Serving's row format (KServe V1, Vertex AI): one prediction per instance; with one output, that output's value, else an object of outputs.</summary>
    public static object? Rows(IReadOnlyList<IReadOnlyDictionary<string, object?>> results, ModelSignature signature)
    {
        var names = OutputNames(results, signature);
        return names.Count == 1 ? Column(results, names[0]) : results;
    }

    /// <summary>One line per row, the outputs' values in order, a tensor's values spread over cells; no header (as SageMaker's batch transform joins lines).</summary>
    public static string Csv(IReadOnlyList<IReadOnlyDictionary<string, object?>> results, ModelSignature signature)
    {
        var names = OutputNames(results, signature);
        var text = new StringBuilder();
        foreach (var row in results)
        {
            var first = true;
            foreach (var name in names)
                foreach (var cell in Cells(row.TryGetValue(name, out var value) ? value : null))
                {
                    if (!first) text.Append(',');
                    first = false;
                    text.Append(Quote(cell));
                }
            text.Append('\n');
        }
        return text.ToString();
    }

    private static IReadOnlyList<string> OutputNames(IReadOnlyList<IReadOnlyDictionary<string, object?>> results, ModelSignature signature) =>
        results.Count > 0 ? results[0].Keys.ToList() : signature.Outputs.Select(o => o.Name).ToList();

    private static object?[] Column(IReadOnlyList<IReadOnlyDictionary<string, object?>> results, string name)
    {
        var values = new object?[results.Count];
        for (var i = 0; i < values.Length; i++) values[i] = results[i].TryGetValue(name, out var value) ? value : null;
        return values;
    }

    private static IEnumerable<string> Cells(object? value)
    {
        switch (value)
        {
            case null: yield return ""; break;
            case string s: yield return s; break;
            case Array array:
                foreach (var item in array) foreach (var cell in Cells(item)) yield return cell;
                break;
            case JsonElement { ValueKind: JsonValueKind.Array } json:
                foreach (var item in json.EnumerateArray()) foreach (var cell in Cells(item)) yield return cell;
                break;
            case JsonElement { ValueKind: JsonValueKind.String } json: yield return json.GetString()!; break;
            case JsonElement json: yield return json.GetRawText(); break;
            case bool flag: yield return flag ? "true" : "false"; break;
            case IFormattable formattable: yield return formattable.ToString(null, CultureInfo.InvariantCulture); break;
            default: yield return value.ToString() ?? ""; break;
        }
    }

    private static string Quote(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\r\n") < 0 ? cell : "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
