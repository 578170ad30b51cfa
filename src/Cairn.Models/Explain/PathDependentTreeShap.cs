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
        var shares = ensemble.Trees.Select(CoverShares).ToArray();
        var values = new double[rows.Count][];
        Parallel.For(0, rows.Count, () => new Walker(maxDepth, featureCount), (r, _, walker) =>
        {
            var slotPhi = walker.Phi;
            Array.Clear(slotPhi);
            for (var t = 0; t < shares.Length; t++) walker.Walk(ensemble.Trees[t], shares[t].True, shares[t].False, rows[r]);
            var phi = new double[groups];
            for (var f = 0; f < slotPhi.Length; f++) phi[groupOf[f]] += slotPhi[f];
            values[r] = phi;
            return walker;
        }, _ => { });
        return (baseValue, values);
    }

    /// <summary>Per node: the share of its cover that goes to its true and to its false child, divided once rather than per row.</summary>
    private static (double[] True, double[] False) CoverShares(DecisionTree tree)
    {
        var (yes, no) = (new double[tree.NodeCount], new double[tree.NodeCount]);
        for (var node = 0; node < tree.NodeCount; node++)
            if (tree.Feature[node] >= 0)
                (yes[node], no[node]) = (TreeShap.CoverFraction(tree.Cover!, node, tree.TrueChild[node]), TreeShap.CoverFraction(tree.Cover!, node, tree.FalseChild[node]));
        return (yes, no);
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
    /// after the other in one array (level k holds at most k+1 elements), so nothing is allocated per row.
    /// </summary>
    private sealed class Walker(int maxDepth, int featureCount)
    {
        private readonly PathElement[] _path = new PathElement[(maxDepth + 2) * (maxDepth + 3) / 2];
        private readonly int _stride = maxDepth + 3;
        private readonly double[] _extendZero = Table(maxDepth + 3, (length, k) => (double)(length - k) / (length + 1));
        private readonly double[] _extendOne = Table(maxDepth + 3, (length, k) => (double)k / (length + 1));
        private readonly double[] _unwindScale = UnwindTable(maxDepth + 3, (length, j) => (double)length / (j + 1));
        private readonly double[] _unwindBack = UnwindTable(maxDepth + 3, (length, j) => (double)(length - 1 - j) / (j + 1));
        private readonly double[] _zeroScale = UnwindTable(maxDepth + 3, (length, j) => (double)length / (length - 1 - j));
        private DecisionTree _tree = null!;
        private double[] _trueShare = null!;
        private double[] _falseShare = null!;
        private float[] _x = null!;

        /// <summary>Per vector slot: the SHAP values summed so far.</summary>
        public readonly double[] Phi = new double[featureCount];

        /// <summary>[length * stride + k] = f(length, k) for k up to length: the constant factors of extending a path of that length.</summary>
        private static double[] Table(int stride, Func<int, int, double> f)
        {
            var table = new double[stride * stride];
            for (var length = 0; length < stride - 1; length++)
                for (var k = 0; k <= length; k++) table[length * stride + k] = f(length, k);
            return table;
        }

        /// <summary>[length * stride + j] = f(length, j) for j below length - 1: the constant factors of unwinding a path of that length.</summary>
        private static double[] UnwindTable(int stride, Func<int, int, double> f)
        {
            var table = new double[stride * stride];
            for (var length = 2; length < stride; length++)
                for (var j = 0; j < length - 1; j++) table[length * stride + j] = f(length, j);
            return table;
        }

        public void Walk(DecisionTree tree, double[] trueShare, double[] falseShare, float[] x)
        {
            (_tree, _trueShare, _falseShare, _x) = (tree, trueShare, falseShare, x);
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
            var path = _path;
            ExtendInto(parentStart, parentLength, zeroFraction, oneFraction, feature);
            var length = parentLength + 1;

            var tree = _tree;
            var split = tree.Feature[node];
            if (split < 0)
            {
                var value = tree.Value[node];
                // Taking out a feature x does not follow (one = 0) leaves weights that differ only by the factor 1/zero: their sum is shared.
                var sharedSum = double.NaN;
                for (var i = 1; i < length; i++)
                {
                    ref readonly var element = ref path[start + i];
                    var scale = (element.One - element.Zero) * value;
                    if (scale == 0) continue;
                    double unwound;
                    if (element.One != 0) unwound = UnwoundSum(start, length, element.One, element.Zero);
                    else
                    {
                        if (double.IsNaN(sharedSum)) sharedSum = UnwoundSumUnscaled(start, length);
                        unwound = sharedSum / element.Zero;
                    }
                    Phi[element.Feature] += unwound * scale;
                }
                return;
            }

            var goesTrue = tree.GoesTrue(node, _x[split]);
            var (hot, cold, hotShare, coldShare) = goesTrue
                ? (tree.TrueChild[node], tree.FalseChild[node], _trueShare[node], _falseShare[node])
                : (tree.FalseChild[node], tree.TrueChild[node], _falseShare[node], _trueShare[node]);
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
            var hotZero = inZero * hotShare;
            var coldZero = inZero * coldShare;
            // A branch neither x nor the covers reach adds nothing to any coalition's value.
            if (hotZero != 0 || inOne != 0) Recurse(hot, start, length, hotZero, inOne, split);
            if (coldZero != 0) Recurse(cold, start, length, coldZero, 0, split);
        }

        /// <summary>
        /// EXTEND, written as a copy: the path after the parent's (at parentStart + length) becomes the
        /// parent's path with the new feature added. Weight k of the result is
        /// zero * w[k] * (l-k)/(l+1) + one * w[k-1] * k/(l+1), so the copy and the update are one pass.
        /// </summary>
        private void ExtendInto(int parentStart, int length, double zeroFraction, double oneFraction, int feature)
        {
            var parent = _path.AsSpan(parentStart, length);
            var child = _path.AsSpan(parentStart + length, length + 1);
            var keep = _extendZero.AsSpan(length * _stride, length + 1);
            var move = _extendOne.AsSpan(length * _stride, length + 1);
            var previous = 0.0;
            for (var k = 0; k < parent.Length; k++)
            {
                var element = parent[k];
                child[k] = new PathElement(element.Feature, element.Zero, element.One, zeroFraction * element.Weight * keep[k] + oneFraction * previous * move[k]);
                previous = element.Weight;
            }
            child[length] = new PathElement(feature, zeroFraction, oneFraction, length == 0 ? 1 : oneFraction * previous * move[length]);
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

        /// <summary>The sum of the weights <see cref="Unwind"/> would leave, without changing the path, for an element x follows (one != 0).</summary>
        private double UnwoundSum(int start, int length, double one, double zero)
        {
            ReadOnlySpan<PathElement> p = _path.AsSpan(start, length);
            var scale = _unwindScale.AsSpan(length * _stride, length);
            var back = _unwindBack.AsSpan(length * _stride, length);
            var inverseOne = 1 / one;
            var zeroOverOne = zero * inverseOne;
            var next = p[length - 1].Weight;
            var total = 0.0;
            for (var j = length - 2; j >= 0; j--)
            {
                total += next * scale[j];
                next = Math.FusedMultiplyAdd(-next, zeroOverOne * back[j], p[j].Weight);
            }
            return total * inverseOne;
        }

        /// <summary>For an element x does not follow (one = 0): the sum of the weights unwinding it would leave, times its zero fraction.</summary>
        private double UnwoundSumUnscaled(int start, int length)
        {
            ReadOnlySpan<PathElement> p = _path.AsSpan(start, length);
            var scale = _zeroScale.AsSpan(length * _stride, length);
            var total = 0.0;
            for (var j = length - 2; j >= 0; j--) total += p[j].Weight * scale[j];
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
