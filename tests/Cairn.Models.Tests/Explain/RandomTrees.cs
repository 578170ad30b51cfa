using Cairn.Models.Explain;

namespace Cairn.Models.Tests.Explain;

/// <summary>
/// Seeded random tree ensembles and rows that stress the corner cases of tree walks: thresholds
/// from a small set so that rows sit exactly on them, NaN with either missing direction, every
/// comparison rule including categorical ones, and a feature read on several splits of one path.
/// </summary>
internal static class RandomTrees
{
    private static readonly float[] Thresholds = [-1f, 0f, 0.5f, 1f, 2f];
    private static readonly float[] Categories = [0f, 1f, 2f, 3f];
    private static readonly float[] RowValues = [-1f, 0f, 0.5f, 1f, 2f, 3f, -2f, 0.25f, 1.5f, 5f, float.NaN];

    /// <summary>An ensemble whose splits read features 0..readFeatures-1 of a vector of featureCount slots.</summary>
    public static TreeEnsemble Ensemble(Random random, int trees, int readFeatures, int featureCount, int maxDepth) => new()
    {
        Trees = Enumerable.Range(0, trees).Select(_ => Tree(random, readFeatures, maxDepth)).ToList(),
        BaseValue = random.NextDouble() - 0.5,
        FeatureCount = featureCount,
    };

    public static DecisionTree Tree(Random random, int readFeatures, int maxDepth)
    {
        var (feature, threshold, rule, missing, yes, no, value) = (new List<int>(), new List<float>(), new List<SplitRule>(), new List<bool>(), new List<int>(), new List<int>(), new List<double>());
        int Grow(int depth)
        {
            var node = feature.Count;
            feature.Add(-1); threshold.Add(0); rule.Add(SplitRule.LessOrEqual); missing.Add(false); yes.Add(-1); no.Add(-1); value.Add(0);
            if (depth == maxDepth || (depth > 0 && random.NextDouble() < 0.2))
            {
                value[node] = Math.Round(random.NextDouble() * 4 - 2, 3);
                return node;
            }
            var r = (SplitRule)random.Next(6);
            feature[node] = random.Next(readFeatures);
            rule[node] = r;
            threshold[node] = r is SplitRule.Equal or SplitRule.NotEqual ? Categories[random.Next(Categories.Length)] : Thresholds[random.Next(Thresholds.Length)];
            missing[node] = random.Next(2) == 0;
            yes[node] = Grow(depth + 1);
            no[node] = Grow(depth + 1);
            return node;
        }
        Grow(0);
        return new DecisionTree
        {
            Feature = [.. feature], Threshold = [.. threshold], Rule = [.. rule], MissingGoesTrue = [.. missing],
            TrueChild = [.. yes], FalseChild = [.. no], Value = [.. value],
        };
    }

    public static List<float[]> Rows(Random random, int count, int featureCount) =>
        Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, featureCount).Select(_ => RowValues[random.Next(RowValues.Length)]).ToArray()).ToList();

    /// <summary>The same ensemble with random positive covers that need not add up (the game is defined by their ratios alone).</summary>
    public static TreeEnsemble WithRandomCovers(Random random, TreeEnsemble ensemble) => new()
    {
        Trees = ensemble.Trees.Select(t => new DecisionTree
        {
            Feature = t.Feature, Threshold = t.Threshold, Rule = t.Rule, MissingGoesTrue = t.MissingGoesTrue,
            TrueChild = t.TrueChild, FalseChild = t.FalseChild, Value = t.Value,
            Cover = t.Feature.Select(_ => 1 + random.Next(20) * 1.0).ToArray(),
        }).ToList(),
        BaseValue = ensemble.BaseValue,
        FeatureCount = ensemble.FeatureCount,
    };

    /// <summary>A tree with features a and b swapped at every split.</summary>
    public static DecisionTree Swapped(DecisionTree tree, int a, int b) => new()
    {
        Feature = tree.Feature.Select(f => f == a ? b : f == b ? a : f).ToArray(),
        Threshold = tree.Threshold, Rule = tree.Rule, MissingGoesTrue = tree.MissingGoesTrue,
        TrueChild = tree.TrueChild, FalseChild = tree.FalseChild, Value = tree.Value, Cover = tree.Cover,
    };
}
