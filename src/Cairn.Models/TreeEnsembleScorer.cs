using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Onnx;

namespace Cairn.Models;

/// <summary>
/// Scores an ONNX <c>TreeEnsembleRegressor</c> with precomputed bit masks instead of walking
/// each tree node by node. Boosted trees are where a tree model spends its time, and a walk
/// mispredicts a branch at almost every level; here a row costs one table AND per feature whose
/// value passes at least one split, then one bit scan per tree (QuickScorer's idea, with each
/// feature's masks precomputed per threshold interval).
/// </summary>
/// <remarks>
/// Leaves of a tree are numbered left (the "true" side) to right, one bit each (in 1 to 4 words). A split that is
/// false for a row rules out every leaf on its true side; the row's leaf is the lowest bit left
/// once every false split of every feature is applied. For a feature, the splits that are false
/// for a value x are exactly those whose threshold is below x, so the AND of their masks depends
/// only on how many of the feature's distinct thresholds lie below x: one table row per count.
/// A missing value (NaN) fails every split on its feature except those marked to send missing
/// values the true way (as LightGBM's exporter marks them), so a feature also has a row for NaN.
/// Only graphs this reproduces exactly are compiled: one target, SUM, no post transform,
/// every split BRANCH_LEQ, at most 256 leaves a tree and one weight a leaf, each tree listed root first.
/// </remarks>
public sealed class TreeEnsembleScorer
{
    /// <summary>Tables larger than this are not built: the walk wins once masks stop fitting the caches anyway.</summary>
    private const long MaxTableBytes = 32L << 20;

    /// <summary>Leaves a tree may have (LightGBM's num_leaves is often 31 to 255).</summary>
    private const int MaxLeaves = 256;

    /// <summary>Feature ids past this are not compiled (the per-feature arrays are dense).</summary>
    private const int MaxFeatures = 1 << 20;

    private readonly int _trees;
    private readonly int _words;             // 64-bit words of leaf bits per tree (1 up to 64 leaves, 4 up to 256)
    private readonly int _stride;            // trees x words rounded up to a whole number of 256-bit vectors (so of 128-bit ones too)
    private readonly float[] _lowest;        // per feature: its lowest threshold (+inf when no split reads it)
    private readonly int[] _thresholdStart;  // per feature: where its distinct thresholds start in _thresholds
    private readonly float[] _thresholds;    // ascending within a feature
    private readonly int[] _tableStart;      // per feature: where its table rows start in _table
    private readonly ulong[] _table;         // row k of a feature: the masks of its k+1 lowest thresholds' splits, _words per tree
    private readonly int[] _missingRow;      // per feature: where in _table the row for NaN starts (-1: NaN fails none of its splits)
    private readonly int[] _leafStart;       // per tree: where its leaves start in _leafValues
    private readonly float[] _leafValues;    // leaves of each tree, left to right
    private readonly float _baseValue;

    /// <summary>How many values a row must have: one past the highest feature a split reads.</summary>
    public int FeaturesRead => _lowest.Length;

    private TreeEnsembleScorer(int trees, int words, float[] lowest, int[] thresholdStart, float[] thresholds, int[] tableStart, ulong[] table,
        int[] missingRow, int[] leafStart, float[] leafValues, float baseValue)
    {
        _trees = trees;
        _words = words;
        _stride = (trees * words + 3) / 4 * 4;
        (_lowest, _thresholdStart, _thresholds, _tableStart, _table, _missingRow, _leafStart, _leafValues, _baseValue) =
            (lowest, thresholdStart, thresholds, tableStart, table, missingRow, leafStart, leafValues, baseValue);
    }

    /// <summary>The scorer for a <c>TreeEnsembleRegressor</c> node, or null when the node uses something this does not reproduce exactly.</summary>
    public static TreeEnsembleScorer? TryCompile(NodeProto node)
    {
        if (node.OpType != "TreeEnsembleRegressor" || node.Domain != "ai.onnx.ml" || node.Input.Count != 1 || node.Output.Count != 1) return null;
        var attributes = node.Attribute.ToDictionary(a => a.Name);
        AttributeProto? Get(string name) => attributes.GetValueOrDefault(name);
        // Double thresholds or weights (the *_as_tensor forms) would compare differently in float.
        if (attributes.Keys.Any(k => k.EndsWith("_as_tensor", StringComparison.Ordinal))) return null;
        if (Get("n_targets") is { } targets && targets.I != 1) return null;
        if (Get("aggregate_function") is { } aggregate && aggregate.S.ToStringUtf8() != "SUM") return null;
        if (Get("post_transform") is { } post && post.S.ToStringUtf8() != "NONE") return null;
        var baseValues = Get("base_values")?.Floats ?? [];
        if (baseValues.Count > 1) return null;

        var treeIds = Get("nodes_treeids")?.Ints; var nodeIds = Get("nodes_nodeids")?.Ints; var features = Get("nodes_featureids")?.Ints;
        var modes = Get("nodes_modes")?.Strings; var values = Get("nodes_values")?.Floats;
        var trueIds = Get("nodes_truenodeids")?.Ints; var falseIds = Get("nodes_falsenodeids")?.Ints;
        if (treeIds is null || nodeIds is null || features is null || modes is null || values is null || trueIds is null || falseIds is null) return null;
        var count = treeIds.Count;
        if (count == 0 || new[] { nodeIds.Count, features.Count, modes.Count, values.Count, trueIds.Count, falseIds.Count }.Any(c => c != count)) return null;
        var missingGoesTrue = Get("nodes_missing_value_tracks_true")?.Ints;
        if (missingGoesTrue is not null && missingGoesTrue.Count != count) return null;

        var index = new Dictionary<(long Tree, long Node), int>();
        for (var i = 0; i < count; i++)
            if (!index.TryAdd((treeIds[i], nodeIds[i]), i)) return null;
        var isLeaf = new bool[count];
        for (var i = 0; i < count; i++)
        {
            var mode = modes[i].ToStringUtf8();
            if (mode == "LEAF") isLeaf[i] = true;
            else if (mode != "BRANCH_LEQ" || float.IsNaN(values[i]) || features[i] < 0 || features[i] >= MaxFeatures) return null;
        }

        // A leaf given two weights is read differently by different runtimes (ONNX Runtime keeps one): left to ONNX Runtime.
        var weights = new float[count];
        var weighted = new bool[count];
        var targetTrees = Get("target_treeids")?.Ints ?? []; var targetNodes = Get("target_nodeids")?.Ints ?? [];
        var targetIds = Get("target_ids")?.Ints ?? []; var targetWeights = Get("target_weights")?.Floats ?? [];
        if (targetNodes.Count != targetTrees.Count || targetIds.Count != targetTrees.Count || targetWeights.Count != targetTrees.Count) return null;
        for (var i = 0; i < targetTrees.Count; i++)
        {
            if (targetIds[i] != 0 || !index.TryGetValue((targetTrees[i], targetNodes[i]), out var leaf) || !isLeaf[leaf] || weighted[leaf]) return null;
            weighted[leaf] = true;
            weights[leaf] = targetWeights[i];
        }

        // Each tree's nodes are listed together, its root first: ONNX Runtime takes a tree's first
        // node as its root, so a graph listed otherwise is left to it rather than read differently.
        var children = new HashSet<int>();
        for (var i = 0; i < count; i++)
        {
            if (isLeaf[i]) continue;
            if (!index.TryGetValue((treeIds[i], trueIds[i]), out var t) || !index.TryGetValue((treeIds[i], falseIds[i]), out var f)) return null;
            if (!children.Add(t) || !children.Add(f)) return null; // a node with two parents: not a tree
        }
        var roots = new List<int>();
        var seen = new HashSet<long>();
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && treeIds[i] == treeIds[i - 1]) continue;
            if (!seen.Add(treeIds[i]) || children.Contains(i)) return null;
            roots.Add(i);
        }

        // A split's true side holds a run of consecutive leaves (depth-first, true side first), which it rules out when false.
        var splits = new List<(int Feature, float Threshold, int Tree, int FirstLeaf, int Leaves, bool MissingGoesTrue)>();
        var leafStart = new int[roots.Count];
        var leafValues = new List<float>();
        var visited = 0;
        for (var tree = 0; tree < roots.Count; tree++)
        {
            leafStart[tree] = leafValues.Count;
            var leaves = 0;
            // Returns how many leaves the subtree has, or null past MaxLeaves.
            int? Walk(int i)
            {
                visited++;
                if (isLeaf[i])
                {
                    if (leaves == MaxLeaves) return null;
                    leafValues.Add(weights[i]);
                    leaves++;
                    return 1;
                }
                var first = leaves;
                if (Walk(index[(treeIds[i], trueIds[i])]) is not { } left || Walk(index[(treeIds[i], falseIds[i])]) is not { } right) return null;
                splits.Add(((int)features[i], values[i], tree, first, left, missingGoesTrue is not null && missingGoesTrue[i] != 0));
                return left + right;
            }
            if (Walk(roots[tree]) is null) return null;
        }
        if (visited != count) return null; // nodes no root reaches: a cycle

        var featuresRead = splits.Count == 0 ? 0 : splits.Max(s => s.Feature) + 1;
        var lowest = new float[featuresRead];
        Array.Fill(lowest, float.PositiveInfinity);
        var thresholdStart = new int[featuresRead + 1];
        var tableStart = new int[featuresRead + 1];
        var thresholds = new List<float>();
        var words = (Enumerable.Range(0, roots.Count).Max(t => (t + 1 < roots.Count ? leafStart[t + 1] : leafValues.Count) - leafStart[t]) + 63) / 64;
        var stride = (roots.Count * words + 3) / 4 * 4;
        void Clear(ulong[] masks, (int Feature, float Threshold, int Tree, int FirstLeaf, int Leaves, bool MissingGoesTrue) split)
        {
            for (var leaf = split.FirstLeaf; leaf < split.FirstLeaf + split.Leaves; leaf++) masks[split.Tree * words + leaf / 64] &= ~(1UL << (leaf % 64));
        }
        var byFeature = splits.ToLookup(s => s.Feature);
        // One row per distinct threshold, and one for NaN where some splits send it the true way and some not.
        var rows = byFeature.Sum(g => g.Select(s => s.Threshold).Distinct().Count() + (g.Select(s => s.MissingGoesTrue).Distinct().Count() == 2 ? 1 : 0));
        if ((long)rows * stride * sizeof(ulong) > MaxTableBytes) return null;
        var table = new ulong[rows * stride];
        var missingRow = new int[featuresRead];
        var row = 0;
        for (var feature = 0; feature < featuresRead; feature++)
        {
            thresholdStart[feature] = thresholds.Count;
            tableStart[feature] = row * stride;
            missingRow[feature] = -1;
            var ordered = byFeature[feature].OrderBy(s => s.Threshold).ToList();
            if (ordered.Count == 0) continue;
            lowest[feature] = ordered[0].Threshold;
            var masks = new ulong[stride];
            Array.Fill(masks, ulong.MaxValue);
            var next = 0;
            foreach (var threshold in ordered.Select(s => s.Threshold).Distinct())
            {
                for (; next < ordered.Count && ordered[next].Threshold <= threshold; next++) Clear(masks, ordered[next]);
                thresholds.Add(threshold);
                masks.CopyTo(table, row++ * stride);
            }
            if (ordered.All(s => !s.MissingGoesTrue)) missingRow[feature] = (row - 1) * stride; // NaN fails them all: the last row
            else if (ordered.Any(s => !s.MissingGoesTrue))
            {
                Array.Fill(masks, ulong.MaxValue);
                foreach (var split in ordered.Where(s => !s.MissingGoesTrue)) Clear(masks, split);
                missingRow[feature] = row * stride;
                masks.CopyTo(table, row++ * stride);
            }
        }
        thresholdStart[featuresRead] = thresholds.Count;
        tableStart[featuresRead] = row * stride;
        return new TreeEnsembleScorer(roots.Count, words, lowest, thresholdStart, [.. thresholds], tableStart, table, missingRow, leafStart, [.. leafValues],
            baseValues.Count == 1 ? baseValues[0] : 0f);
    }

    /// <summary>Scores rows of <paramref name="width"/> values each into <paramref name="scores"/> (one per row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimized from the first request, not after tiering's 30 calls
    public void Score(ReadOnlySpan<float> features, int width, Span<float> scores)
    {
        if (width < FeaturesRead)
            throw CairnException.InvalidParameter($"The tree ensemble reads feature {FeaturesRead - 1}, but rows have {width} values.");
        if (features.Length < (long)scores.Length * width)
            throw CairnException.InvalidParameter($"{scores.Length} rows of {width} values need {(long)scores.Length * width} values; got {features.Length}.");
        var reachable = new ulong[_stride];
        for (var r = 0; r < scores.Length; r++)
            scores[r] = ScoreRow(features.Slice(r * width, FeaturesRead), reachable);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float ScoreRow(ReadOnlySpan<float> row, ulong[] reachable)
    {
        reachable.AsSpan().Fill(ulong.MaxValue);
        ref var bits = ref MemoryMarshal.GetArrayDataReference(reachable);
        ref var values = ref MemoryMarshal.GetReference(row);
        ref var lowest = ref MemoryMarshal.GetArrayDataReference(_lowest);
        var feature = 0;
        // Eight (or four) features at a time: most rows pass a split on only a few of them (one-hot
        // columns are mostly zero). Vector256 where the CPU has it (AVX2), Vector128 elsewhere (ARM64's NEON):
        // the JIT keeps only the branch the machine runs.
        if (Vector256.IsHardwareAccelerated)
        {
            for (; feature + Vector256<float>.Count <= row.Length; feature += Vector256<float>.Count)
            {
                var x = Vector256.LoadUnsafe(ref values, (nuint)feature);
                var passing = (Vector256.GreaterThan(x, Vector256.LoadUnsafe(ref lowest, (nuint)feature)) | ~Vector256.Equals(x, x)).ExtractMostSignificantBits();
                for (; passing != 0; passing &= passing - 1) Apply(feature + BitOperations.TrailingZeroCount(passing), row, ref bits);
            }
        }
        else
        {
            for (; feature + Vector128<float>.Count <= row.Length; feature += Vector128<float>.Count)
            {
                var x = Vector128.LoadUnsafe(ref values, (nuint)feature);
                var passing = (Vector128.GreaterThan(x, Vector128.LoadUnsafe(ref lowest, (nuint)feature)) | ~Vector128.Equals(x, x)).ExtractMostSignificantBits();
                for (; passing != 0; passing &= passing - 1) Apply(feature + BitOperations.TrailingZeroCount(passing), row, ref bits);
            }
        }
        for (; feature < row.Length; feature++)
            if (!(row[feature] <= _lowest[feature])) Apply(feature, row, ref bits);

        // A tree's rightmost leaf is on the true side of no split, so every tree has a bit left.
        var sum = 0f;
        ref var leafStart = ref MemoryMarshal.GetArrayDataReference(_leafStart);
        ref var leafValues = ref MemoryMarshal.GetArrayDataReference(_leafValues);
        if (_words == 1)
            for (var t = 0; t < _trees; t++)
                sum += Unsafe.Add(ref leafValues, Unsafe.Add(ref leafStart, t) + BitOperations.TrailingZeroCount(Unsafe.Add(ref bits, t)));
        else
            for (var t = 0; t < _trees; t++)
            {
                var word = t * _words;
                while (Unsafe.Add(ref bits, word) == 0) word++;
                sum += Unsafe.Add(ref leafValues, Unsafe.Add(ref leafStart, t) + (word - t * _words) * 64 + BitOperations.TrailingZeroCount(Unsafe.Add(ref bits, word)));
            }
        return sum + _baseValue;
    }

    /// <summary>ANDs in the masks of every split on <paramref name="feature"/> that is false for this row's value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Apply(int feature, ReadOnlySpan<float> row, ref ulong bits)
    {
        var value = row[feature];
        int offset;
        if (float.IsNaN(value))
        {
            offset = _missingRow[feature];
            if (offset < 0) return;
        }
        else
        {
            // How many of the feature's thresholds lie below the value.
            var start = _thresholdStart[feature];
            var thresholds = _thresholds.AsSpan(start, _thresholdStart[feature + 1] - start);
            int low = 0, high = thresholds.Length;
            while (low < high)
            {
                var mid = (low + high) >>> 1;
                if (thresholds[mid] < value) low = mid + 1; else high = mid;
            }
            if (low == 0) return;
            offset = _tableStart[feature] + (low - 1) * _stride;
        }
        ref var masks = ref MemoryMarshal.GetArrayDataReference(_table);
        if (Vector256.IsHardwareAccelerated)
            for (var t = 0; t < _stride; t += Vector256<ulong>.Count)
                Vector256.StoreUnsafe(Vector256.LoadUnsafe(ref bits, (nuint)t) & Vector256.LoadUnsafe(ref masks, (nuint)(offset + t)), ref bits, (nuint)t);
        else
            for (var t = 0; t < _stride; t += Vector128<ulong>.Count)
                Vector128.StoreUnsafe(Vector128.LoadUnsafe(ref bits, (nuint)t) & Vector128.LoadUnsafe(ref masks, (nuint)(offset + t)), ref bits, (nuint)t);
    }
}
