using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Models.Explain;

/// <summary>A feature's global importance: the mean absolute SHAP value over the explained sample.</summary>
public sealed record FeatureImportance(string Feature, double MeanAbsShap);

/// <summary>
/// A version's global explanation, stored with the registry at <see cref="PathOf"/>: importance per
/// input column (most important first) and the explained sample itself (its values as text and
/// their SHAP values), from which the model card's table and the web UI's bar chart, dependence
/// plots and waterfalls are drawn.
/// </summary>
public sealed record GlobalExplanation(
    string Method,
    string Link,
    string OutputName,
    double BaseValue,
    int BackgroundRows,
    IReadOnlyList<FeatureImportance> Importance,
    IReadOnlyList<string> Features,
    IReadOnlyList<string?[]> SampleRows,
    IReadOnlyList<double[]> SampleValues)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The artifact store path of a version's global explanation: <c>registry/name/version/explanation.json</c>.</summary>
    public static string PathOf(string name, string version) => Cairn.Artifacts.ArtifactPath.Combine("registry", $"{name}/{version}/explanation.json");

    /// <summary>Summarizes an explanation of <paramref name="rows"/> (the rows it explained, in order).</summary>
    public static GlobalExplanation From(Explanation explanation, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        if (rows.Count != explanation.Values.Count) throw new ArgumentException("One row per explained row is needed.", nameof(rows));
        var features = explanation.Features;
        var importance = features
            .Select((f, i) => new FeatureImportance(f, explanation.Values.Count == 0 ? 0 : explanation.Values.Average(v => Math.Abs(v[i]))))
            .OrderByDescending(f => f.MeanAbsShap).ThenBy(f => f.Feature, StringComparer.Ordinal)
            .ToList();
        var sample = rows.Select(r => features.Select(f => r.TryGetValue(f, out var v) ? Format(v) : null).ToArray()).ToList();
        return new GlobalExplanation(explanation.Method, explanation.Link, explanation.OutputName, explanation.BaseValue,
            explanation.BackgroundRows, importance, features, sample, explanation.Values);
    }

    /// <summary>The JSON stored in the registry.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads stored JSON.</summary>
    /// <exception cref="CairnException">The text is not a global explanation.</exception>
    public static GlobalExplanation Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<GlobalExplanation>(json, Json) ?? throw CairnException.InvalidParameter("The stored explanation is empty.");
        }
        catch (JsonException e)
        {
            throw CairnException.InvalidParameter($"The stored explanation is not valid: {e.Message}");
        }
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
