using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Cairn.Models;

/// <summary>
/// The training curve of boosted trees, computed after training: the score after k trees is the
/// bias plus the weighted leaves of the first k trees, so adding each tree's output to a running
/// score per row gives the metric at every k in one pass over the data (no re-scoring, no retraining).
/// </summary>
internal sealed class BoostingCurve
{
    private readonly RegressionTreeEnsemble _ensemble;
    private readonly int[] _compact;          // feature slot -> column in a compacted row (-1: no split reads it)
    private readonly int _width;               // features some split reads
    private readonly CompiledTree[] _trees;

    public BoostingCurve(RegressionTreeEnsemble ensemble)
    {
        _ensemble = ensemble;
        var featureCount = 1 + ensemble.Trees.SelectMany(t => Enumerable.Range(0, t.NumberOfNodes)
            .SelectMany(node => t.CategoricalSplitFlags[node] ? t.GetCategoricalSplitFeaturesAt(node) : [t.NumericalSplitFeatureIndexes[node]]))
            .DefaultIfEmpty(-1).Max();
        _compact = new int[featureCount];
        Array.Fill(_compact, -1);
        var width = 0;
        foreach (var tree in ensemble.Trees)
            for (var node = 0; node < tree.NumberOfNodes; node++)
            {
                if (tree.CategoricalSplitFlags[node])
                    foreach (var slot in tree.GetCategoricalSplitFeaturesAt(node)) Use(slot);
                else
                    Use(tree.NumericalSplitFeatureIndexes[node]);
            }
        _width = width;
        _trees = ensemble.Trees.Select((t, i) => new CompiledTree(t, ensemble.TreeWeights[i], _compact)).ToArray();

        void Use(int slot)
        {
            if (_compact[slot] < 0) _compact[slot] = width++;
        }
    }

    /// <summary>
    /// The features a split reads and the label of every row, copied out of the cursor (ML.NET
    /// reuses its buffers). Null when the label is neither Boolean nor Single.
    /// </summary>
    public Rows? Read(IDataView featurized, string featureColumn, string labelColumn)
    {
        var features = featurized.Schema[featureColumn];
        var label = featurized.Schema.GetColumnOrNull(labelColumn);
        if (label is null || (label.Value.Type != BooleanDataViewType.Instance && label.Value.Type != NumberDataViewType.Single)) return null;
        var values = new List<float>();
        var labels = new List<double>();
        using var cursor = featurized.GetRowCursor([features, label.Value]);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        Func<double> getLabel;
        if (label.Value.Type == BooleanDataViewType.Instance)
        {
            var get = cursor.GetGetter<bool>(label.Value);
            getLabel = () => { var b = false; get(ref b); return b ? 1 : 0; };
        }
        else
        {
            var get = cursor.GetGetter<float>(label.Value);
            getLabel = () => { var f = 0f; get(ref f); return f; };
        }
        VBuffer<float> vector = default;
        var row = new float[_width];
        while (cursor.MoveNext())
        {
            var y = getLabel();
            if (double.IsNaN(y)) continue; // the evaluators leave such rows out too
            getFeatures(ref vector);
            Array.Clear(row);
            var slotValues = vector.GetValues();
            if (vector.IsDense)
            {
                for (var slot = 0; slot < slotValues.Length && slot < _compact.Length; slot++)
                    if (_compact[slot] >= 0) row[_compact[slot]] = slotValues[slot];
            }
            else
            {
                var indices = vector.GetIndices();
                for (var k = 0; k < indices.Length; k++)
                    if (indices[k] < _compact.Length && _compact[indices[k]] >= 0) row[_compact[indices[k]]] = slotValues[k];
            }
            values.AddRange(row);
            labels.Add(y);
        }
        return new Rows([.. values], [.. labels], _width);
    }

    /// <summary>The metric after every <paramref name="every"/> trees and after the last one, as (trees, value).</summary>
    public List<(int Trees, double Value)> Walk(Rows rows, int every, Metric metric)
    {
        var steps = Enumerable.Range(1, _trees.Length).Where(k => k % every == 0 || k == _trees.Length).ToArray();
        var stepAt = new int[_trees.Length]; // tree index -> its step's index, or -1
        Array.Fill(stepAt, -1);
        for (var s = 0; s < steps.Length; s++) stepAt[steps[s] - 1] = s;
        // Row by row through every tree while the row is in cache (a row of one-hot features is
        // hundreds of floats: going tree by tree would stream the whole set once per tree). The
        // metrics are means of a per-row loss, so each step only needs its running sum.
        var lossSums = new double[steps.Length];
        for (var i = 0; i < rows.Labels.Length; i++)
        {
            var row = rows.Values.AsSpan(i * rows.Width, rows.Width);
            var score = _ensemble.Bias;
            for (var t = 0; t < _trees.Length; t++)
            {
                score += _trees[t].Output(row);
                if (stepAt[t] >= 0) lossSums[stepAt[t]] += metric.Loss(score, rows.Labels[i]);
            }
        }
        return steps.Select((k, s) => (k, metric.Finish(lossSums[s] / rows.Labels.Length))).ToList();
    }

    /// <summary>A metric that is a function of the mean of a per-row loss.</summary>
    public sealed record Metric(string Name, Func<double, double, double> Loss, Func<double, double> Finish);

    /// <summary>Root mean squared error (a regression's metric).</summary>
    public static Metric Rmse { get; } = new("rmse", (score, label) => (score - label) * (score - label), Math.Sqrt);

    /// <summary>Log-loss in bits of the calibrated probabilities, as ML.NET's binary evaluator reports it.</summary>
    public static Metric LogLoss(ICalibrator calibrator) => new("log_loss", (score, label) =>
    {
        double p = calibrator.PredictProbability((float)score);
        return -Math.Log(Math.Max(label > 0 ? p : 1 - p, 1e-15), 2);
    }, mean => mean);

    /// <summary>Rows of compacted features and their labels (1 or 0 for a Boolean label).</summary>
    public sealed record Rows(float[] Values, double[] Labels, int Width);

    /// <summary>One tree in flat arrays, its splits reading compacted rows and its leaves already weighted.</summary>
    private sealed class CompiledTree
    {
        private readonly int[] _left, _right, _feature;
        private readonly float[] _threshold;
        private readonly int[]?[] _categories; // per node: the compacted slots of a categorical split, else null
        private readonly double[] _leaves;

        public CompiledTree(RegressionTree tree, double weight, int[] compact)
        {
            var nodes = tree.NumberOfNodes;
            _left = [.. tree.LeftChild];
            _right = [.. tree.RightChild];
            _threshold = [.. tree.NumericalSplitThresholds];
            _feature = new int[nodes];
            _categories = new int[nodes][];
            for (var node = 0; node < nodes; node++)
            {
                if (tree.CategoricalSplitFlags[node])
                    _categories[node] = tree.GetCategoricalSplitFeaturesAt(node).Select(s => compact[s]).ToArray();
                else
                    _feature[node] = compact[tree.NumericalSplitFeatureIndexes[node]];
            }
            _leaves = tree.LeafValues.Select(v => weight * v).ToArray();
        }

        /// <summary>
        /// As ML.NET walks a tree: a numerical split goes left when the value is at most the threshold,
        /// a categorical one goes right when any of its slots is positive; a leaf is a child below zero (~leaf).
        /// </summary>
        public double Output(ReadOnlySpan<float> row)
        {
            if (_leaves.Length == 1 && _left.Length == 0) return _leaves[0];
            var node = 0;
            while (node >= 0)
            {
                bool right;
                if (_categories[node] is { } slots)
                {
                    right = false;
                    foreach (var slot in slots) right |= row[slot] > 0;
                }
                else
                    right = !(row[_feature[node]] <= _threshold[node]);
                node = right ? _right[node] : _left[node];
            }
            return _leaves[~node];
        }
    }
}
