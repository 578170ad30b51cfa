namespace Cairn.Models.Explain;

/// <summary>The explanation methods Cairn computes.</summary>
public static class ExplainMethods
{
    /// <summary>Exact TreeSHAP against a background sample (features outside a coalition take background values).</summary>
    public const string TreeInterventional = "tree_interventional";
    /// <summary>Exact TreeSHAP using the trees' node cover counts (no background needed at explain time).</summary>
    public const string TreePathDependent = "tree_path_dependent";
    /// <summary>KernelSHAP: a weighted linear regression over sampled coalitions, for any model.</summary>
    public const string Kernel = "kernel";
}

/// <summary>The links between the explained output and the model's reported output.</summary>
public static class ExplainLinks
{
    /// <summary>Attributions add up to the output itself.</summary>
    public const string Identity = "identity";
    /// <summary>Attributions add up to the log-odds (the output before the model's sigmoid).</summary>
    public const string Logit = "logit";
}

/// <summary>
/// SHAP values of rows: for row r, <c>BaseValue + Values[r].Sum() == Outputs[r]</c> (exactly for
/// trees, within the stated error for KernelSHAP). Features are the model's input columns.
/// </summary>
/// <param name="Method">One of <see cref="ExplainMethods"/>.</param>
/// <param name="Link">One of <see cref="ExplainLinks"/>: how <see cref="Outputs"/> relate to the model's reported output.</param>
/// <param name="OutputName">The model output explained (for a classifier, its score of the positive class).</param>
/// <param name="Features">The input columns attributions are given for, in order.</param>
/// <param name="BaseValue">The expected output over the background (or the covers).</param>
/// <param name="Outputs">Per row: the explained output (in the link's space).</param>
/// <param name="Values">Per row, per feature: its SHAP value.</param>
/// <param name="BackgroundRows">How many background rows were used (0 for path-dependent).</param>
public sealed record Explanation(
    string Method,
    string Link,
    string OutputName,
    IReadOnlyList<string> Features,
    double BaseValue,
    IReadOnlyList<double> Outputs,
    IReadOnlyList<double[]> Values,
    int BackgroundRows)
{
    /// <summary>For KernelSHAP: how many coalitions were evaluated per row; null for exact methods.</summary>
    public int? Samples { get; init; }
    /// <summary>For KernelSHAP: per row, per feature, the estimated standard error of the value; null for exact methods.</summary>
    public IReadOnlyList<double[]>? StandardErrors { get; init; }
}
