namespace Cairn.Models.Explain;

/// <summary>Checks shared by the TreeSHAP entry points, so that bad input fails with a clear message rather than an index error deep in a walk.</summary>
internal static class TreeShapInput
{
    /// <summary>The ensemble's trees are well formed: splits read features below FeatureCount, children are nodes, no cycles.</summary>
    public static void CheckEnsemble(TreeEnsemble ensemble)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        if (ensemble.FeatureCount < 0) throw CairnException.InvalidParameter($"The ensemble's feature count ({ensemble.FeatureCount}) is negative.");
        for (var t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = ensemble.Trees[t];
            var n = tree.NodeCount;
            if (n == 0) throw CairnException.InvalidParameter($"Tree {t} has no nodes.");
            if (tree.Threshold.Length != n || tree.Rule.Length != n || tree.MissingGoesTrue.Length != n || tree.TrueChild.Length != n
                || tree.FalseChild.Length != n || tree.Value.Length != n || (tree.Cover is { } c && c.Length != n))
                throw CairnException.InvalidParameter($"Tree {t}'s node arrays differ in length.");
            for (var node = 0; node < n; node++)
            {
                var feature = tree.Feature[node];
                if (feature < 0) continue;
                if (feature >= ensemble.FeatureCount)
                    throw CairnException.InvalidParameter($"Tree {t} node {node} splits on feature {feature}, but the ensemble has {ensemble.FeatureCount} features.");
                if ((uint)tree.TrueChild[node] >= (uint)n || (uint)tree.FalseChild[node] >= (uint)n)
                    throw CairnException.InvalidParameter($"Tree {t} node {node} has a child outside the tree.");
            }
            if (Depth(tree) < 0) throw CairnException.InvalidParameter($"Tree {t} has a cycle.");
        }
    }

    /// <summary>The longest root-to-leaf path in splits, or -1 when a path is longer than the tree has nodes (a cycle).</summary>
    public static int Depth(DecisionTree tree)
    {
        var deepest = 0;
        var stack = new Stack<(int Node, int Depth)>();
        stack.Push((0, 0));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            if (depth >= tree.NodeCount) return -1;
            if (tree.Feature[node] < 0) { deepest = Math.Max(deepest, depth); continue; }
            stack.Push((tree.TrueChild[node], depth + 1));
            stack.Push((tree.FalseChild[node], depth + 1));
        }
        return deepest;
    }

    /// <summary>Every feature vector has at least FeatureCount values.</summary>
    public static void CheckRows(IReadOnlyList<float[]> rows, int featureCount, string what)
    {
        ArgumentNullException.ThrowIfNull(rows);
        for (var r = 0; r < rows.Count; r++)
            if (rows[r] is null || rows[r].Length < featureCount)
                throw CairnException.InvalidParameter($"{what} {r} has {rows[r]?.Length ?? 0} values, but the ensemble reads {featureCount}.");
    }

    /// <summary>One group per feature slot, each in 0..groups-1.</summary>
    public static void CheckGroups(int[] groupOf, int groups, int featureCount)
    {
        ArgumentNullException.ThrowIfNull(groupOf);
        if (groups < 0) throw CairnException.InvalidParameter($"The number of groups ({groups}) is negative.");
        if (groupOf.Length != featureCount)
            throw CairnException.InvalidParameter($"groupOf has {groupOf.Length} entries, but the ensemble has {featureCount} features (one group per feature is needed).");
        for (var f = 0; f < groupOf.Length; f++)
            if ((uint)groupOf[f] >= (uint)groups)
                throw CairnException.InvalidParameter($"Feature {f} is in group {groupOf[f]}, outside 0..{groups - 1}.");
    }

    /// <summary>Covers are present, finite and not negative.</summary>
    public static void CheckCovers(TreeEnsemble ensemble)
    {
        if (!ensemble.HasCovers)
            throw CairnException.InvalidParameter("Path-dependent TreeSHAP needs node covers, and this model does not carry them: compute them from data with TreeCovers.FromData, or use interventional TreeSHAP with a background sample.");
        for (var t = 0; t < ensemble.Trees.Count; t++)
            foreach (var cover in ensemble.Trees[t].Cover!)
                if (!double.IsFinite(cover) || cover < 0) throw CairnException.InvalidParameter($"Tree {t} has a cover of {cover}; covers must be finite and not negative.");
    }
}
