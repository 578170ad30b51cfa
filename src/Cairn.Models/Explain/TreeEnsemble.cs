namespace Cairn.Models.Explain;

/// <summary>
/// A sum of decision trees over a feature vector: the raw output is <see cref="BaseValue"/> plus
/// each tree's leaf value (an average of trees is expressed by leaf values already divided by the
/// tree count). This is the model TreeSHAP explains; a link such as a sigmoid after it is not part of it.
/// </summary>
public sealed class TreeEnsemble
{
    /// <summary>The trees.</summary>
    public required IReadOnlyList<DecisionTree> Trees { get; init; }
    /// <summary>Added to the trees' sum.</summary>
    public double BaseValue { get; init; }
    /// <summary>How many values a feature vector has (at least one past the highest feature a split reads).</summary>
    public required int FeatureCount { get; init; }

    /// <summary>Whether every tree carries node cover counts (needed by path-dependent TreeSHAP).</summary>
    public bool HasCovers => Trees.All(t => t.Cover is not null);

    /// <summary>The raw output for one feature vector.</summary>
    public double Predict(ReadOnlySpan<float> row)
    {
        var sum = BaseValue;
        foreach (var tree in Trees) sum += tree.Value[tree.LeafOf(row)];
        return sum;
    }
}
