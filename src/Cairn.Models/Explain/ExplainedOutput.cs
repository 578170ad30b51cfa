using System.Text.Json;

namespace Cairn.Models.Explain;

/// <summary>Which model output model-agnostic explanations attribute, and reading it as a number.</summary>
public static class ExplainedOutput
{
    private static readonly string[] NumericTypes = ["float", "double", "integer", "long"];

    /// <summary>
    /// The output explained: <c>Score</c> when the signature has a scalar one (ML.NET's raw score,
    /// before calibration, for binary classifiers and regressors), otherwise the first numeric
    /// scalar output.
    /// </summary>
    /// <exception cref="CairnException">The model has no numeric scalar output.</exception>
    public static string NameOf(ModelSignature signature)
    {
        var numeric = signature.Outputs.Where(o => NumericTypes.Contains(o.Type) || IsSingleValueTensor(o)).ToList();
        var chosen = numeric.FirstOrDefault(o => o.Name == "Score") ?? numeric.FirstOrDefault();
        return chosen?.Name ?? throw CairnException.InvalidParameter(
            $"The model has no numeric scalar output to explain (its outputs: {string.Join(", ", signature.Outputs.Select(o => $"{o.Name} ({o.Type})"))}).");
    }

    /// <summary>A tensor output with one value per row (shape [-1] or [-1, 1]), as ONNX regressors write it.</summary>
    private static bool IsSingleValueTensor(ColumnSpec output) =>
        output.IsTensor && output.TensorType is "float" or "float32" or "float64" or "double"
        && output.Shape is { } shape && shape.Skip(1).All(d => d == 1);

    /// <summary>An output value as a number (a one-element array counts as its element).</summary>
    /// <exception cref="CairnException">The value is not a number.</exception>
    public static double ToDouble(object? value, string output) => value switch
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

    private static string Describe(object? value) => value is null ? "missing" : $"a {value.GetType().Name}";
}
