namespace Cairn.Models.Explain;

/// <summary>Node covers for models that do not carry them (ONNX exports, for instance), counted from data.</summary>
public static class TreeCovers
{
    /// <summary>
    /// A copy of <paramref name="ensemble"/> whose node covers are how many of <paramref name="data"/>'s
    /// rows reach each node (0 for nodes none reaches), ready for <see cref="TreeShap.PathDependent"/>.
    /// </summary>
    /// <param name="ensemble">The trees; their own covers, if any, are replaced.</param>
    /// <param name="data">Feature vectors, usually a sample of the training data.</param>
    /// <exception cref="CairnException">No rows, or a row shorter than the feature vector.</exception>
    public static TreeEnsemble FromData(TreeEnsemble ensemble, IReadOnlyList<float[]> data)
    {
        TreeShapInput.CheckEnsemble(ensemble);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw CairnException.InvalidParameter("Covers are counted from data, and no rows were given.");
        TreeShapInput.CheckRows(data, ensemble.FeatureCount, "Data row");
        var trees = new DecisionTree[ensemble.Trees.Count];
        Parallel.For(0, trees.Length, t =>
        {
            var tree = ensemble.Trees[t];
            var cover = new double[tree.NodeCount];
            foreach (var row in data)
            {
                var node = 0;
                cover[0]++;
                while (tree.Feature[node] >= 0)
                {
                    node = tree.GoesTrue(node, row[tree.Feature[node]]) ? tree.TrueChild[node] : tree.FalseChild[node];
                    cover[node]++;
                }
            }
            trees[t] = new DecisionTree
            {
                Feature = (int[])tree.Feature.Clone(),
                Threshold = (float[])tree.Threshold.Clone(),
                Rule = (SplitRule[])tree.Rule.Clone(),
                MissingGoesTrue = (bool[])tree.MissingGoesTrue.Clone(),
                TrueChild = (int[])tree.TrueChild.Clone(),
                FalseChild = (int[])tree.FalseChild.Clone(),
                Value = (double[])tree.Value.Clone(),
                Cover = cover,
            };
        });
        return new TreeEnsemble { Trees = trees, BaseValue = ensemble.BaseValue, FeatureCount = ensemble.FeatureCount };
    }
}
