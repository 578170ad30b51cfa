using System.Numerics;

namespace Cairn.Models.Explain;

/// <summary>
/// One tree, for path-dependent TreeSHAP, as the sum of its leaves' games. A leaf of value V whose
/// path reads the distinct features D is worth, for a coalition S, V times, per feature j of D,
/// o_j when j is in S (1 when x satisfies all of j's conditions on the path, else 0) or z_j when it
/// is not (the product of j's cover fractions on the path). With F the features x follows, the
/// Shapley values of that product game are, for i in F, V (1 - z_i) Z(D\F) E(F\i), and for i not in
/// F, -V Z(D\F) E(F), where Z is a product of z and E(A) = sum over S in A of
/// |S|! (|D|-1-|S|)! / |D|! times the product of z over A\S. Z(D\F) and E depend on the leaf and F
/// alone, so a leaf can tabulate them for every F once and a row then costs one lookup per feature
/// (the idea of Fast TreeSHAP v2, Yang 2021); without a table a row costs O(|D|^2).
/// </summary>
internal sealed class LeafGames
{
    /// <summary>Most distinct features a leaf may have for a table (2^(d+1) values).</summary>
    public const int MaxTableFeatures = 14;

    private readonly DecisionTree _tree;
    private readonly int[] _splits;
    private readonly uint[] _nodeBit;
    private readonly int[] _leafNode;
    private readonly double[] _value;
    private readonly int[] _featureStart;
    private readonly int[] _group;
    private readonly double[] _zero;
    private readonly int[] _conditionStart;
    private readonly int[] _conditionNode;
    private readonly bool[] _conditionTrue;
    private readonly int[] _conditionFeature;

    /// <summary>The tree's output with every feature integrated out by covers (the empty coalition's value).</summary>
    public double ExpectedValue { get; }
    /// <summary>The most distinct features on one of the tree's paths.</summary>
    public int MaxFeatures { get; }
    /// <summary>How many leaves the tree has.</summary>
    public int LeafCount => _value.Length;

    /// <param name="tree">A tree with covers.</param>
    /// <param name="groupOf">Per feature slot, the player its values are added to.</param>
    public LeafGames(DecisionTree tree, int[] groupOf)
    {
        _tree = tree;
        var (splits, nodeBit, leafNode) = (new List<int>(), new uint[tree.NodeCount], new List<int>());
        var (value, featureStart, group, zero) = (new List<double>(), new List<int> { 0 }, new List<int>(), new List<double>());
        var (conditionStart, conditionNode, conditionTrue, conditionFeature) = (new List<int> { 0 }, new List<int>(), new List<bool>(), new List<int>());
        var path = new List<(int Node, bool True)>();
        var features = new List<int>();
        var expected = 0.0;
        var maxFeatures = 0;

        void Visit(int node)
        {
            if (tree.Feature[node] >= 0)
            {
                splits.Add(node);
                path.Add((node, true));
                Visit(tree.TrueChild[node]);
                path[^1] = (node, false);
                Visit(tree.FalseChild[node]);
                path.RemoveAt(path.Count - 1);
                return;
            }
            features.Clear();
            var zeroStart = zero.Count;
            foreach (var (split, goesTrue) in path)
            {
                var feature = tree.Feature[split];
                var local = features.IndexOf(feature);
                if (local < 0)
                {
                    local = features.Count;
                    features.Add(feature);
                    group.Add(groupOf[feature]);
                    zero.Add(1);
                }
                // A feature's local index is its first appearance on the path, the same for every leaf below the split.
                nodeBit[split] = local < 32 ? 1u << local : 0;
                zero[zeroStart + local] *= TreeShap.CoverFraction(tree.Cover!, split, goesTrue ? tree.TrueChild[split] : tree.FalseChild[split]);
                conditionNode.Add(split);
                conditionTrue.Add(goesTrue);
                conditionFeature.Add(local);
            }
            var reached = tree.Value[node];
            for (var i = zeroStart; i < zero.Count; i++) reached *= zero[i];
            expected += reached;
            maxFeatures = Math.Max(maxFeatures, features.Count);
            value.Add(tree.Value[node]);
            leafNode.Add(node);
            featureStart.Add(zero.Count);
            conditionStart.Add(conditionNode.Count);
        }

        Visit(0);
        (_splits, _nodeBit, _leafNode) = ([.. splits], nodeBit, [.. leafNode]);
        (_value, _featureStart, _group, _zero) = ([.. value], [.. featureStart], [.. group], [.. zero]);
        (_conditionStart, _conditionNode, _conditionTrue, _conditionFeature) = ([.. conditionStart], [.. conditionNode], [.. conditionTrue], [.. conditionFeature]);
        (ExpectedValue, MaxFeatures) = (expected, maxFeatures);
    }

    /// <summary>How many distinct features the leaf's path reads.</summary>
    public int FeatureCount(int leaf) => _featureStart[leaf + 1] - _featureStart[leaf];

    /// <summary>How many values the leaf's table holds: Z(D\F) and E(F) for every F.</summary>
    public long TableSize(int leaf) => 2L << FeatureCount(leaf);

    /// <summary>Whether a leaf is worth a table for <paramref name="rows"/> rows: building it costs about d 2^d, and it saves about d^2 per row.</summary>
    public bool WantsTable(int leaf, int rows, int maxTableFeatures)
    {
        var d = FeatureCount(leaf);
        return d > 0 && d <= maxTableFeatures && _value[leaf] != 0 && (1L << d) <= (long)rows * d;
    }

    /// <summary>
    /// Writes the leaf's table at <paramref name="table"/>: at [2F] V Z(D\F), at [2F + 1] E(F), for
    /// every subset F of the leaf's features as a bit mask.
    /// </summary>
    /// <param name="leaf">The leaf.</param>
    /// <param name="table">TableSize(leaf) values.</param>
    /// <param name="weights">Shapley weights for d = the leaf's feature count.</param>
    /// <param name="polynomials">Scratch of 2^d (d+1) values.</param>
    public void BuildTable(int leaf, Span<double> table, ReadOnlySpan<double> weights, Span<double> polynomials)
    {
        var d = FeatureCount(leaf);
        var zero = _zero.AsSpan(_featureStart[leaf], d);
        var full = (1 << d) - 1;
        table[2 * full] = _value[leaf];
        for (var f = full - 1; f >= 0; f--)
        {
            var missing = BitOperations.TrailingZeroCount(~f);
            table[2 * f] = table[2 * (f | (1 << missing))] * zero[missing];
        }
        // The elementary symmetric polynomials of z over F, each from F less its lowest feature.
        var width = d + 1;
        polynomials[..width].Clear();
        polynomials[0] = 1;
        table[1] = weights[0] * 1;
        for (var f = 1; f <= full; f++)
        {
            var low = BitOperations.TrailingZeroCount(f);
            var size = BitOperations.PopCount((uint)f);
            var e = polynomials.Slice(f * width, width);
            polynomials.Slice((f & (f - 1)) * width, width).CopyTo(e);
            for (var k = size; k >= 1; k--) e[k] += zero[low] * e[k - 1];
            // E(D) is never read (it would need the weight of a coalition of all d players).
            var sum = 0.0;
            if (size < d)
                for (var s = 0; s <= size; s++) sum += weights[s] * e[size - s];
            table[2 * f + 1] = sum;
        }
    }

    /// <summary>Adds the tree's path-dependent SHAP values of <paramref name="x"/> into <paramref name="phi"/> (per group).</summary>
    /// <param name="x">The row.</param>
    /// <param name="tables">The leaves' tables (from <see cref="BuildTable"/>).</param>
    /// <param name="weights">Per feature count d, the Shapley weights s! (d-1-s)! / d! for s below d.</param>
    /// <param name="scratch">Buffers sized for the largest tree.</param>
    /// <param name="phi">Per group, the values so far.</param>
    public void Add(float[] x, LeafTables tables, double[][] weights, Scratch scratch, double[] phi)
    {
        var tree = _tree;
        var (goesTrue, failed) = (scratch.GoesTrue, scratch.Failed);
        // Per node, the local bits of the features x fails on the way there (parents come before children in _splits).
        failed[0] = 0;
        foreach (var node in _splits)
        {
            var yes = goesTrue[node] = tree.GoesTrue(node, x[tree.Feature[node]]);
            var (mask, bit) = (failed[node], _nodeBit[node]);
            failed[tree.TrueChild[node]] = yes ? mask : mask | bit;
            failed[tree.FalseChild[node]] = yes ? mask | bit : mask;
        }
        for (var leaf = 0; leaf < _value.Length; leaf++)
        {
            var value = _value[leaf];
            if (value == 0) continue;
            var start = _featureStart[leaf];
            var d = _featureStart[leaf + 1] - start;
            if (d == 0) continue;
            var offset = tables.Offset[leaf];
            if (offset >= 0)
            {
                var f = (int)((1u << d) - 1 & ~failed[_leafNode[leaf]]);
                AddFromTable(tables.Buffer.AsSpan(offset, 2 << d), start, d, f, phi);
            }
            else
            {
                var followed = scratch.Followed;
                Array.Fill(followed, true, 0, d);
                for (var c = _conditionStart[leaf]; c < _conditionStart[leaf + 1]; c++)
                    if (goesTrue[_conditionNode[c]] != _conditionTrue[c]) followed[_conditionFeature[c]] = false;
                AddDirectly(value, start, d, followed, weights[d], scratch.Polynomial, phi);
            }
        }
    }

    private void AddFromTable(ReadOnlySpan<double> table, int start, int d, int f, double[] phi)
    {
        var scale = table[2 * f];
        if (scale == 0) return;
        var loss = scale * table[2 * f + 1];
        for (var i = 0; i < d; i++)
        {
            var bit = 1 << i;
            if ((f & bit) != 0) phi[_group[start + i]] += scale * (1 - _zero[start + i]) * table[2 * (f ^ bit) + 1];
            else phi[_group[start + i]] -= loss;
        }
    }

    /// <summary>The same values as <see cref="AddFromTable"/>, with E computed from the polynomial of z over F and, per i, that polynomial divided by (1 + z_i t).</summary>
    private void AddDirectly(double value, int start, int d, bool[] followed, double[] weights, double[] e, double[] phi)
    {
        var scale = value;
        var size = 0;
        e[0] = 1;
        for (var i = 0; i < d; i++)
        {
            var z = _zero[start + i];
            if (!followed[i]) { scale *= z; continue; }
            size++;
            e[size] = 0;
            for (var k = size; k >= 1; k--) e[k] += z * e[k - 1];
        }
        if (scale == 0) return;
        var all = 0.0;
        if (size < d)
            for (var s = 0; s <= size; s++) all += weights[s] * e[size - s];
        var loss = scale * all;
        for (var i = 0; i < d; i++)
        {
            if (!followed[i]) { phi[_group[start + i]] -= loss; continue; }
            // Synthetic division: q_k = e_k - z q_(k-1); all terms are non-negative and z is at most 1, so errors do not grow.
            var z = _zero[start + i];
            var (q, without) = (0.0, 0.0);
            for (var k = 0; k < size; k++)
            {
                q = e[k] - z * q;
                without += weights[size - 1 - k] * q;
            }
            phi[_group[start + i]] += scale * (1 - z) * without;
        }
    }

    /// <summary>The Shapley weights s! (d-1-s)! / d! for s in 0..d-1.</summary>
    public static double[] Weights(int d)
    {
        var weights = new double[Math.Max(d, 1)];
        if (d == 0) return weights;
        weights[0] = 1.0 / d;
        for (var s = 1; s < d; s++) weights[s] = weights[s - 1] * s / (d - s);
        return weights;
    }

    /// <summary>A tree's leaf tables: per leaf, where its table starts in <paramref name="Buffer"/>, or -1 when it has none.</summary>
    public readonly record struct LeafTables(double[] Buffer, int[] Offset);

    /// <summary>One thread's buffers, so that nothing is allocated per row or tree.</summary>
    public sealed class Scratch(int maxNodes, int maxFeatures)
    {
        /// <summary>Per node, whether x goes to the true child.</summary>
        public readonly bool[] GoesTrue = new bool[maxNodes];
        /// <summary>Per node, the local bits of the features x fails above it.</summary>
        public readonly uint[] Failed = new uint[maxNodes];
        /// <summary>Per local feature of a leaf, whether x satisfies its conditions.</summary>
        public readonly bool[] Followed = new bool[maxFeatures];
        /// <summary>The elementary symmetric polynomial of a leaf's zero fractions.</summary>
        public readonly double[] Polynomial = new double[maxFeatures + 1];
    }
}
