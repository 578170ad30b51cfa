using System.Text.Json;

namespace Cairn.Deployments.Routing;

/// <summary>
/// The numbers a canary analysis and a shadow comparison look at in a scored row: the probability
/// when the model gives one, else its score, else its first numeric output; and its predicted label.
/// </summary>
public static class PredictionValues
{
    public static double? ValueOf(IReadOnlyDictionary<string, object?> row)
    {
        double? first = null;
        double? score = null;
        foreach (var (name, value) in row)
        {
            if (Number(value) is not { } number) continue;
            if (name.Equals("probability", StringComparison.OrdinalIgnoreCase)) return number;
            if (score is null && name.Equals("score", StringComparison.OrdinalIgnoreCase)) score = number;
            first ??= number;
        }
        return score ?? first;
    }

    /// <summary>The predicted label: an output named predicted_label / PredictedLabel / label, as text; null when there is none.</summary>
    public static string? LabelOf(IReadOnlyDictionary<string, object?> row)
    {
        foreach (var (name, value) in row)
            if (name.Replace("_", "").Equals("predictedlabel", StringComparison.OrdinalIgnoreCase) || name.Equals("label", StringComparison.OrdinalIgnoreCase))
                return value switch { null => null, bool b => b ? "true" : "false", JsonElement e => e.ToString(), _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) };
        return null;
    }

    public static double? Number(object? value) => value switch
    {
        double d when double.IsFinite(d) => d,
        float f when float.IsFinite(f) => f,
        int i => i,
        long l => l,
        float[] { Length: > 0 } a when float.IsFinite(a[^1]) => a[^1], // a vector of class scores: the last class (positive, for two)
        double[] { Length: > 0 } a when double.IsFinite(a[^1]) => a[^1],
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        _ => null,
    };
}
