using System.Text.Json;

namespace Cairn.Models.Explain;

/// <summary>Which model output model-agnostic explanations attribute, and reading it as a number.</summary>
public static class ExplainedOutput
{
    private static readonly string[] NumericTypes = ["float", "double", "integer", "long"];

    /// <summary>
    /// The output explained: <c>Score</c> when the signature has a scalar one (ML.NET's raw score,
    /// before calibration, for binary classifiers and regressors), otherwise the first numeric
    /// scalar output. With <paramref name="target"/> (a class or target index), an output with
    /// several values per row (a multiclass <c>Score</c>) is explained at that index.
    /// </summary>
    /// <exception cref="CairnException">The model has no numeric output to explain, or only one with several values and no target was chosen.</exception>
    public static string NameOf(ModelSignature signature, int? target = null)
    {
        var numeric = signature.Outputs.Where(o => NumericTypes.Contains(o.Type) || IsSingleValueTensor(o)).ToList();
        var vectors = signature.Outputs.Where(IsNumericTensor).ToList();
        // A multiclass Score (one value per class) comes before a predicted label, which is a class key, not a score.
        var vector = vectors.FirstOrDefault(o => o.Name == "Score");
        var chosen = numeric.FirstOrDefault(o => o.Name == "Score") ?? (vector is null ? numeric.FirstOrDefault() : null);
        if (chosen is not null && target is null or 0) return chosen.Name;
        vector ??= vectors.FirstOrDefault();
        if (vector is not null && target is null)
            throw CairnException.InvalidParameter(
                $"The model's output '{vector.Name}' has {Width(vector)} values per row (one per class or target): choose the one to explain with a target index (--target 0 to {Width(vector, 1)}).");
        if (vector is not null) return vector.Name;
        if (chosen is not null)
            throw CairnException.InvalidParameter($"The model's output '{chosen.Name}' has one value per row, so target {target} does not exist: explain target 0 or give none.");
        throw CairnException.InvalidParameter(
            $"The model has no numeric scalar output to explain (its outputs: {string.Join(", ", signature.Outputs.Select(o => $"{o.Name} ({o.Type})"))}).");
    }

    private static bool IsNumericTensor(ColumnSpec output) =>
        output.IsTensor && output.TensorType is "float" or "float32" or "float64" or "double" && !IsSingleValueTensor(output);

    private static string Width(ColumnSpec output, int less = 0) =>
        output.Shape is [_, var width] && width > 0 ? (width - less).ToString(System.Globalization.CultureInfo.InvariantCulture) : less == 0 ? "several" : "its last";

    /// <summary>A tensor output with one value per row (shape [-1] or [-1, 1]), as ONNX regressors write it.</summary>
    private static bool IsSingleValueTensor(ColumnSpec output) =>
        output.IsTensor && output.TensorType is "float" or "float32" or "float64" or "double"
        && output.Shape is { } shape && shape.Skip(1).All(d => d == 1);

    /// <summary>An output value as a number (a one-element array counts as its element; with <paramref name="target"/>, the element at that index of an array).</summary>
    /// <exception cref="CairnException">The value is not a number, or has no element at <paramref name="target"/>.</exception>
    public static double ToDouble(object? value, string output, int? target = null)
    {
        if (target is { } k && value is float[] or double[] or JsonElement { ValueKind: JsonValueKind.Array })
        {
            var length = value switch { float[] f => f.Length, double[] d => d.Length, JsonElement j => j.GetArrayLength(), _ => 0 };
            if (k < 0 || k >= length)
                throw CairnException.InvalidParameter($"The model's output '{output}' has {length} values per row; target {k} does not exist (use 0 to {length - 1}).");
            return value switch { float[] f => f[k], double[] d => d[k], JsonElement j => j[k].GetDouble(), _ => double.NaN };
        }
        return value switch
        {
            double d => d,
            float f => f,
            int i => i,
            long l => l,
            uint u => u,
            bool b => b ? 1 : 0,
            float[] { Length: 1 } a => a[0],
            double[] { Length: 1 } a => a[0],
            JsonElement { ValueKind: JsonValueKind.Number } json => json.GetDouble(),
            _ => throw CairnException.InvalidParameter($"The model's output '{output}' is {Describe(value)}, not a number, so it cannot be explained."),
        };
    }

    private static string Describe(object? value) => value is null ? "missing" : $"a {value.GetType().Name}";
}
