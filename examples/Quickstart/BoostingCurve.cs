using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Cairn.Examples.Quickstart;

/// <summary>
/// Per-iteration metrics for boosted trees: the score after k trees is the bias plus the weighted
/// leaf values of the first k trees, so one pass over the test set gives the AUC at every
/// iteration without retraining.
/// </summary>
public static class BoostingCurve
{
    public static IEnumerable<(int Trees, double Auc)> AucByIteration(RegressionTreeEnsemble ensemble, IReadOnlyList<FeaturizedFlight> rows, int every)
    {
        var scores = new double[rows.Count];
        Array.Fill(scores, ensemble.Bias);
        var vectors = rows.Select(r => new VBuffer<float>(r.Features.Length, r.Features)).ToArray();
        var labels = rows.Select(r => r.Late).ToArray();
        for (var t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = ensemble.Trees[t];
            var weight = ensemble.TreeWeights[t];
            for (var i = 0; i < vectors.Length; i++)
                scores[i] += weight * tree.LeafValues[Leaf(tree, vectors[i])];
            if ((t + 1) % every == 0 || t == ensemble.Trees.Count - 1)
                yield return (t + 1, Auc(scores, labels));
        }
    }

    /// <summary>
    /// Walks one tree as ML.NET does: a numerical split goes left when the value is at most the
    /// threshold; a categorical split goes right when any of its category slots is set.
    /// Child indexes below zero are leaves, encoded as the complement of the leaf index.
    /// </summary>
    public static int Leaf(RegressionTree tree, VBuffer<float> features)
    {
        var values = features.GetValues();
        var node = 0;
        while (node >= 0)
        {
            bool right;
            if (tree.CategoricalSplitFlags[node])
            {
                right = false;
                foreach (var slot in tree.GetCategoricalSplitFeaturesAt(node)) right |= values[slot] > 0;
            }
            else
                right = values[tree.NumericalSplitFeatureIndexes[node]] > tree.NumericalSplitThresholds[node];
            node = right ? tree.RightChild[node] : tree.LeftChild[node];
        }
        return ~node;
    }

    /// <summary>Area under the ROC curve by the rank-sum (Mann-Whitney) formula, ties averaged.</summary>
    public static double Auc(double[] scores, bool[] labels)
    {
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        double rankSumPositive = 0;
        long positives = 0;
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            var averageRank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++)
            {
                if (!labels[order[k]]) continue;
                rankSumPositive += averageRank;
                positives++;
            }
            i = j + 1;
        }
        var negatives = scores.Length - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        return (rankSumPositive - positives * (positives + 1) / 2.0) / (positives * (double)negatives);
    }
}
