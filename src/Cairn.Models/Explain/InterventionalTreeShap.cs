using System.Numerics;

namespace Cairn.Models.Explain;

/// <summary>
/// Interventional TreeSHAP, exact. For a row x, a background row b and a leaf, the hybrid row
/// reaches the leaf exactly when every group on the leaf's path is taken from a side that satisfies
/// all of that group's conditions on the path. Groups only x satisfies (A) must be in the
/// coalition, groups only b satisfies (B) must be out of it, the rest do not matter: the leaf's
/// game is v * [A in S] * [B outside S], whose Shapley values are v (|A|-1)! |B|! / (|A|+|B|)! for
/// each group of A and minus v |A|! (|B|-1)! / (|A|+|B|)! for each group of B. Per leaf the
/// background rows are reduced up front to their distinct "which groups b satisfies" masks with
/// counts, so a row costs one pass over each leaf's few distinct masks, whatever the background size.
/// </summary>
internal sealed class InterventionalTreeShap
{
    /// <summary>Most distinct groups one root-to-leaf path may read (one bit each in a mask).</summary>
    private const int MaxPathGroups = 64;

    /// <summary>[a * Stride + b] = (a-1)! b! / (a+b)! and a! (b-1)! / (a+b)!, from the inverse binomial 1 / C(a+b, a).</summary>
    private const int Stride = MaxPathGroups + 1;
    private static readonly double[] GainWeight = new double[Stride * Stride];
    private static readonly double[] LossWeight = new double[Stride * Stride];

    static InterventionalTreeShap()
    {
        var binomial = new double[2 * Stride, 2 * Stride];
        for (var n = 0; n < 2 * Stride; n++)
        {
            binomial[n, 0] = binomial[n, n] = 1;
            for (var k = 1; k < n; k++) binomial[n, k] = binomial[n - 1, k - 1] + binomial[n - 1, k];
        }
        for (var a = 0; a < Stride; a++)
            for (var b = 0; b < Stride; b++)
            {
                if (a > 0) GainWeight[a * Stride + b] = 1 / (a * binomial[a + b, a]);
                if (b > 0) LossWeight[a * Stride + b] = 1 / (b * binomial[a + b, a]);
            }
    }

    private readonly TreePlan[] _plans;
    private readonly int _groups;
    private readonly int _maxNodes;

    /// <summary>The mean output over the background.</summary>
    public double BaseValue { get; }

    /// <summary>Reduces the background per leaf once, so that each call to <see cref="Explain"/> pays for the rows alone.</summary>
    /// <param name="ensemble">A checked ensemble.</param>
    /// <param name="background">Checked background rows (at least one).</param>
    /// <param name="groupOf">Per feature slot, its group (checked).</param>
    /// <param name="groups">How many groups.</param>
    /// <exception cref="CairnException">A path through more than <see cref="MaxPathGroups"/> groups.</exception>
    public InterventionalTreeShap(TreeEnsemble ensemble, IReadOnlyList<float[]> background, int[] groupOf, int groups)
    {
        var plans = new TreePlan[ensemble.Trees.Count];
        Parallel.For(0, plans.Length, t => plans[t] = new TreePlan(ensemble.Trees[t], t, background, groupOf));
        var baseValue = 0.0;
        foreach (var b in background) baseValue += ensemble.Predict(b);
        (_plans, _groups, BaseValue) = (plans, groups, baseValue / background.Count);
        _maxNodes = plans.Length == 0 ? 0 : plans.Max(p => p.Tree.NodeCount);
    }

    /// <summary>Per row, per group, the SHAP values.</summary>
    /// <param name="rows">Checked feature vectors.</param>
    public double[][] Explain(IReadOnlyList<float[]> rows)
    {
        var values = new double[rows.Count][];
        Parallel.For(0, rows.Count, () => new bool[_maxNodes], (r, _, goesTrue) =>
        {
            var phi = new double[_groups];
            foreach (var plan in _plans) plan.Add(rows[r], goesTrue, phi);
            values[r] = phi;
            return goesTrue;
        }, _ => { });
        return values;
    }

    /// <summary>One tree's leaves, each with its path's conditions (as local group bits) and the background's distinct masks.</summary>
    private sealed class TreePlan
    {
        public readonly DecisionTree Tree;
        private readonly int[] _splits;
        private readonly double[] _leafValue;
        private readonly ulong[] _leafFull;
        private readonly ulong[] _leafAnyBackground;
        private readonly int[] _conditionStart;
        private readonly int[] _conditionNode;
        private readonly bool[] _conditionTrue;
        private readonly int[] _conditionBit;
        private readonly int[] _groupStart;
        private readonly int[] _group;
        private readonly int[] _maskStart;
        private readonly ulong[] _mask;
        private readonly double[] _maskWeight;

        public TreePlan(DecisionTree tree, int index, IReadOnlyList<float[]> background, int[] groupOf)
        {
            Tree = tree;
            _splits = Enumerable.Range(0, tree.NodeCount).Where(n => tree.Feature[n] >= 0).ToArray();
            var leaves = new List<(int Leaf, List<(int Node, bool True)> Path)>();
            Collect(tree, 0, [], leaves);

            var (values, full, any) = (new List<double>(), new List<ulong>(), new List<ulong>());
            var (conditionStart, conditionNode, conditionTrue, conditionBit) = (new List<int> { 0 }, new List<int>(), new List<bool>(), new List<int>());
            var (groupStart, group) = (new List<int> { 0 }, new List<int>());
            var (maskStart, mask, maskWeight) = (new List<int> { 0 }, new List<ulong>(), new List<double>());
            var counts = new Dictionary<ulong, int>();
            foreach (var (leaf, path) in leaves)
            {
                var localGroups = path.Select(c => groupOf[tree.Feature[c.Node]]).Distinct().ToList();
                if (localGroups.Count > MaxPathGroups)
                    throw CairnException.InvalidParameter($"Tree {index} has a path through {localGroups.Count} feature groups; interventional TreeSHAP handles at most {MaxPathGroups}.");
                group.AddRange(localGroups);
                groupStart.Add(group.Count);
                foreach (var (node, goesTrue) in path)
                {
                    conditionNode.Add(node);
                    conditionTrue.Add(goesTrue);
                    conditionBit.Add(localGroups.IndexOf(groupOf[tree.Feature[node]]));
                }
                conditionStart.Add(conditionNode.Count);
                var leafFull = localGroups.Count == MaxPathGroups ? ulong.MaxValue : (1UL << localGroups.Count) - 1;

                counts.Clear();
                foreach (var b in background)
                {
                    var m = leafFull;
                    foreach (var (node, goesTrue) in path)
                        if (tree.GoesTrue(node, b[tree.Feature[node]]) != goesTrue) m &= ~(1UL << localGroups.IndexOf(groupOf[tree.Feature[node]]));
                    counts[m] = counts.GetValueOrDefault(m) + 1;
                }
                var leafAny = 0UL;
                foreach (var (m, count) in counts.OrderBy(c => c.Key))
                {
                    mask.Add(m);
                    maskWeight.Add(tree.Value[leaf] * count / background.Count);
                    leafAny |= m;
                }
                maskStart.Add(mask.Count);
                values.Add(tree.Value[leaf]);
                full.Add(leafFull);
                any.Add(leafAny);
            }
            (_leafValue, _leafFull, _leafAnyBackground) = (values.ToArray(), full.ToArray(), any.ToArray());
            (_conditionStart, _conditionNode, _conditionTrue, _conditionBit) = (conditionStart.ToArray(), conditionNode.ToArray(), conditionTrue.ToArray(), conditionBit.ToArray());
            (_groupStart, _group) = (groupStart.ToArray(), group.ToArray());
            (_maskStart, _mask, _maskWeight) = (maskStart.ToArray(), mask.ToArray(), maskWeight.ToArray());
        }

        private static void Collect(DecisionTree tree, int node, List<(int, bool)> path, List<(int, List<(int, bool)>)> leaves)
        {
            if (tree.Feature[node] < 0) { leaves.Add((node, [.. path])); return; }
            path.Add((node, true));
            Collect(tree, tree.TrueChild[node], path, leaves);
            path[^1] = (node, false);
            Collect(tree, tree.FalseChild[node], path, leaves);
            path.RemoveAt(path.Count - 1);
        }

        /// <summary>Adds this tree's SHAP values of <paramref name="x"/> into <paramref name="phi"/> (per group).</summary>
        public void Add(float[] x, bool[] goesTrue, double[] phi)
        {
            var tree = Tree;
            foreach (var node in _splits) goesTrue[node] = tree.GoesTrue(node, x[tree.Feature[node]]);
            for (var leaf = 0; leaf < _leafValue.Length; leaf++)
            {
                if (_leafValue[leaf] == 0) continue;
                var full = _leafFull[leaf];
                var xMask = full;
                for (var c = _conditionStart[leaf]; c < _conditionStart[leaf + 1]; c++)
                    if (goesTrue[_conditionNode[c]] != _conditionTrue[c]) xMask &= ~(1UL << _conditionBit[c]);
                // Some group that neither x nor any background row satisfies: the leaf is never reached.
                if ((xMask | _leafAnyBackground[leaf]) != full) continue;
                var groupBase = _groupStart[leaf];
                for (var m = _maskStart[leaf]; m < _maskStart[leaf + 1]; m++)
                {
                    var bMask = _mask[m];
                    if ((xMask | bMask) != full) continue;
                    var onlyX = xMask & ~bMask;
                    var onlyB = bMask & ~xMask;
                    if ((onlyX | onlyB) == 0) continue;
                    var weightIndex = BitOperations.PopCount(onlyX) * Stride + BitOperations.PopCount(onlyB);
                    if (onlyX != 0)
                    {
                        var gain = _maskWeight[m] * GainWeight[weightIndex];
                        for (var bits = onlyX; bits != 0; bits &= bits - 1) phi[_group[groupBase + BitOperations.TrailingZeroCount(bits)]] += gain;
                    }
                    if (onlyB != 0)
                    {
                        var loss = _maskWeight[m] * LossWeight[weightIndex];
                        for (var bits = onlyB; bits != 0; bits &= bits - 1) phi[_group[groupBase + BitOperations.TrailingZeroCount(bits)]] -= loss;
                    }
                }
            }
        }
    }
}
