namespace Cairn.Models.Explain;

/// <summary>
/// Path-dependent TreeSHAP, Algorithm 2 of Lundberg, Erion and Lee, "Consistent individualized
/// feature attribution for tree ensembles" (2018): one walk per tree keeps, along the current path,
/// the weight of every subset size of the distinct features seen (EXTEND), and at a leaf takes each
/// feature back out (UNWIND) to read its Shapley weight. Players are vector slots; per group sums
/// come last.
/// </summary>
internal static class PathDependentTreeShap
{
    public static (double BaseValue, double[][] Values) Explain(TreeEnsemble ensemble, IReadOnlyList<float[]> rows, int[] groupOf, int groups)
    {
        var baseValue = ensemble.BaseValue;
        foreach (var tree in ensemble.Trees) baseValue += ExpectedValue(tree, 0);
        var maxDepth = ensemble.Trees.Count == 0 ? 0 : ensemble.Trees.Max(TreeShapInput.Depth);
        var featureCount = ensemble.FeatureCount;
        var values = new double[rows.Count][];
        Parallel.For(0, rows.Count, () => new Walker(maxDepth, featureCount), (r, _, walker) =>
        {
            var slotPhi = walker.Phi;
            Array.Clear(slotPhi);
            foreach (var tree in ensemble.Trees) walker.Walk(tree, rows[r]);
            var phi = new double[groups];
            for (var f = 0; f < slotPhi.Length; f++) phi[groupOf[f]] += slotPhi[f];
            values[r] = phi;
            return walker;
        }, _ => { });
        return (baseValue, values);
    }

    /// <summary>The tree's output with every feature integrated out by covers (the empty coalition's value).</summary>
    private static double ExpectedValue(DecisionTree tree, int node)
    {
        if (tree.Feature[node] < 0) return tree.Value[node];
        var cover = tree.Cover!;
        var (yes, no) = (tree.TrueChild[node], tree.FalseChild[node]);
        var (yesShare, noShare) = (TreeShap.CoverFraction(cover, node, yes), TreeShap.CoverFraction(cover, node, no));
        return (yesShare == 0 ? 0 : yesShare * ExpectedValue(tree, yes)) + (noShare == 0 ? 0 : noShare * ExpectedValue(tree, no));
    }

    /// <summary>
    /// One thread's buffers. The path of each recursion level is a copy of its parent's, laid out one
    /// after the other in flat arrays (level k holds at most k+1 elements), so nothing is allocated per row.
    /// </summary>
    private sealed class Walker(int maxDepth, int featureCount)
    {
        private readonly PathElement[] _path = new PathElement[(maxDepth + 2) * (maxDepth + 3) / 2];
        private DecisionTree _tree = null!;
        private float[] _x = null!;

        /// <summary>Per vector slot: the SHAP values summed so far.</summary>
        public readonly double[] Phi = new double[featureCount];

        public void Walk(DecisionTree tree, float[] x)
        {
            (_tree, _x) = (tree, x);
            Recurse(0, 0, 0, 1, 1, -1);
        }

        /// <param name="node">The node reached.</param>
        /// <param name="parentStart">Where the parent's path starts in the buffers.</param>
        /// <param name="parentLength">The parent's path length (this level's path goes right after it).</param>
        /// <param name="zeroFraction">The share of covers going this way when the feature is out of the coalition.</param>
        /// <param name="oneFraction">1 when x goes this way (the feature in the coalition), else 0.</param>
        /// <param name="feature">The split feature that led here (-1 at the root).</param>
        private void Recurse(int node, int parentStart, int parentLength, double zeroFraction, double oneFraction, int feature)
        {
            var start = parentStart + parentLength;
            var length = parentLength;
            var path = _path;
            for (var i = 0; i < length; i++) path[start + i] = path[parentStart + i];
            Extend(start, length, zeroFraction, oneFraction, feature);
            length++;

            var tree = _tree;
            var split = tree.Feature[node];
            if (split < 0)
            {
                var value = tree.Value[node];
                for (var i = 1; i < length; i++)
                    Phi[path[start + i].Feature] += UnwoundSum(start, length, i) * (path[start + i].One - path[start + i].Zero) * value;
                return;
            }

            var goesTrue = tree.GoesTrue(node, _x[split]);
            var (hot, cold) = goesTrue ? (tree.TrueChild[node], tree.FalseChild[node]) : (tree.FalseChild[node], tree.TrueChild[node]);
            // A feature already on the path is taken out, to come back with both splits' fractions multiplied.
            var (inZero, inOne) = (1.0, 1.0);
            for (var k = 1; k < length; k++)
            {
                if (path[start + k].Feature != split) continue;
                (inZero, inOne) = (path[start + k].Zero, path[start + k].One);
                Unwind(start, length, k);
                length--;
                break;
            }
            var cover = tree.Cover!;
            var hotZero = inZero * TreeShap.CoverFraction(cover, node, hot);
            var coldZero = inZero * TreeShap.CoverFraction(cover, node, cold);
            // A branch neither x nor the covers reach adds nothing to any coalition's value.
            if (hotZero != 0 || inOne != 0) Recurse(hot, start, length, hotZero, inOne, split);
            if (coldZero != 0) Recurse(cold, start, length, coldZero, 0, split);
        }

        private void Extend(int start, int length, double zeroFraction, double oneFraction, int feature)
        {
            var p = _path.AsSpan(start, length + 1);
            p[length] = new PathElement(feature, zeroFraction, oneFraction, length == 0 ? 1 : 0);
            for (var i = length - 1; i >= 0; i--)
            {
                p[i + 1].Weight += oneFraction * p[i].Weight * (i + 1) / (length + 1);
                p[i].Weight = zeroFraction * p[i].Weight * (length - i) / (length + 1);
            }
        }

        private void Unwind(int start, int length, int index)
        {
            var p = _path.AsSpan(start, length);
            var (one, zero) = (p[index].One, p[index].Zero);
            var next = p[length - 1].Weight;
            for (var j = length - 2; j >= 0; j--)
            {
                if (one != 0)
                {
                    var kept = p[j].Weight;
                    p[j].Weight = next * length / ((j + 1) * one);
                    next = kept - p[j].Weight * zero * (length - 1 - j) / length;
                }
                else
                {
                    p[j].Weight = p[j].Weight * length / (zero * (length - 1 - j));
                }
            }
            // The weights stay by position; the features after the removed one move down.
            for (var j = index; j < length - 1; j++) (p[j].Feature, p[j].Zero, p[j].One) = (p[j + 1].Feature, p[j + 1].Zero, p[j + 1].One);
        }

        /// <summary>The sum of the weights <see cref="Unwind"/> would leave, without changing the path.</summary>
        private double UnwoundSum(int start, int length, int index)
        {
            ReadOnlySpan<PathElement> p = _path.AsSpan(start, length);
            var (one, zero) = (p[index].One, p[index].Zero);
            var total = 0.0;
            if (one != 0)
            {
                var next = p[length - 1].Weight;
                for (var j = length - 2; j >= 0; j--)
                {
                    var unwound = next * length / ((j + 1) * one);
                    total += unwound;
                    next = p[j].Weight - unwound * zero * (length - 1 - j) / length;
                }
            }
            else
            {
                for (var j = length - 2; j >= 0; j--) total += p[j].Weight * length / (zero * (length - 1 - j));
            }
            return total;
        }
    }

    /// <summary>A distinct feature on the current path: its cover share (zero), whether x goes its way (one), and the weight of one subset size.</summary>
    private struct PathElement(int feature, double zero, double one, double weight)
    {
        public int Feature = feature;
        public double Zero = zero;
        public double One = one;
        public double Weight = weight;
    }
}
