namespace Cairn.Models.Explain;

/// <summary>
/// Path-dependent TreeSHAP, exact: each tree is the sum of its leaves' product games (see
/// <see cref="LeafGames"/>), prepared once per ensemble. Leaves get tables when enough rows share
/// them; rows are explained in chunks, tree by tree, so a tree's tables stay in cache while a chunk
/// of rows goes through it. Players are vector slots, added straight into their groups.
/// </summary>
internal sealed class PathDependentTreeShap
{
    /// <summary>Most table values held at once (32 MiB); past that, trees are explained in batches.</summary>
    private const long MaxTableValues = 4L << 20;
    /// <summary>Rows that go through one tree before the next (per thread).</summary>
    private const int ChunkRows = 64;

    private readonly LeafGames[] _trees;
    private readonly double[][] _weights;
    private readonly int _groups;
    private readonly int _maxNodes;
    private readonly int _maxFeatures;

    /// <summary>The cover-weighted mean output: the ensemble's base value plus each tree's expected value.</summary>
    public double BaseValue { get; }

    /// <param name="ensemble">A checked ensemble with covers.</param>
    /// <param name="groupOf">Per feature slot, its group (checked).</param>
    /// <param name="groups">How many groups.</param>
    public PathDependentTreeShap(TreeEnsemble ensemble, int[] groupOf, int groups)
    {
        _trees = new LeafGames[ensemble.Trees.Count];
        Parallel.For(0, _trees.Length, t => _trees[t] = new LeafGames(ensemble.Trees[t], groupOf));
        BaseValue = ensemble.BaseValue;
        foreach (var tree in _trees) BaseValue += tree.ExpectedValue;
        _groups = groups;
        _maxNodes = ensemble.Trees.Count == 0 ? 0 : ensemble.Trees.Max(t => t.NodeCount);
        _maxFeatures = _trees.Length == 0 ? 0 : _trees.Max(t => t.MaxFeatures);
        _weights = [.. Enumerable.Range(0, _maxFeatures + 1).Select(LeafGames.Weights)];
    }

    /// <summary>Per row, per group, the SHAP values.</summary>
    /// <param name="rows">Checked feature vectors.</param>
    /// <param name="maxTableFeatures">Leaves with more distinct features than this are computed without a table.</param>
    public double[][] Explain(IReadOnlyList<float[]> rows, int maxTableFeatures = LeafGames.MaxTableFeatures)
    {
        var values = new double[rows.Count][];
        for (var r = 0; r < values.Length; r++) values[r] = new double[_groups];
        var chunks = (rows.Count + ChunkRows - 1) / ChunkRows;
        for (var first = 0; first < _trees.Length;)
        {
            var (end, tables) = BuildTables(first, rows.Count, maxTableFeatures);
            Parallel.For(0, chunks, () => new LeafGames.Scratch(_maxNodes, _maxFeatures), (chunk, _, scratch) =>
            {
                var last = Math.Min(rows.Count, (chunk + 1) * ChunkRows);
                for (var t = first; t < end; t++)
                    for (var r = chunk * ChunkRows; r < last; r++)
                        _trees[t].Add(rows[r], tables[t - first], _weights, scratch, values[r]);
                return scratch;
            }, _ => { });
            first = end;
        }
        return values;
    }

    /// <summary>
    /// Tables for the trees from <paramref name="first"/> on, as many trees as fit in
    /// <see cref="MaxTableValues"/> (at least one; a tree alone past it gets tables for its first leaves only).
    /// </summary>
    /// <returns>The tree after the last one covered, and per tree its leaves' tables.</returns>
    private (int End, LeafGames.LeafTables[] Tables) BuildTables(int first, int rows, int maxTableFeatures)
    {
        var offsets = new List<int[]>();
        var total = 0L;
        var end = first;
        for (; end < _trees.Length; end++)
        {
            var tree = _trees[end];
            var size = 0L;
            for (var leaf = 0; leaf < tree.LeafCount; leaf++)
                if (tree.WantsTable(leaf, rows, maxTableFeatures)) size += tree.TableSize(leaf);
            if (end > first && total + size > MaxTableValues) break;
            var offset = new int[tree.LeafCount];
            for (var leaf = 0; leaf < tree.LeafCount; leaf++)
            {
                offset[leaf] = -1;
                if (!tree.WantsTable(leaf, rows, maxTableFeatures) || total + tree.TableSize(leaf) > MaxTableValues) continue;
                offset[leaf] = (int)total;
                total += tree.TableSize(leaf);
            }
            offsets.Add(offset);
        }

        var buffer = new double[total];
        var tables = new LeafGames.LeafTables[end - first];
        Parallel.For(first, end, () => new double[0], (t, _, polynomials) =>
        {
            var tree = _trees[t];
            var offset = offsets[t - first];
            for (var leaf = 0; leaf < offset.Length; leaf++)
            {
                if (offset[leaf] < 0) continue;
                var size = (int)tree.TableSize(leaf);
                var d = tree.FeatureCount(leaf);
                if (polynomials.Length < (1 << d) * (d + 1)) polynomials = new double[(1 << d) * (d + 1)];
                tree.BuildTable(leaf, buffer.AsSpan(offset[leaf], size), _weights[d], polynomials);
            }
            tables[t - first] = new LeafGames.LeafTables(buffer, offset);
            return polynomials;
        }, _ => { });
        return (end, tables);
    }
}
