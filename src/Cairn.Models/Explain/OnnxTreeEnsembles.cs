using Onnx;

namespace Cairn.Models.Explain;

/// <summary>
/// A tree ensemble read from an ONNX node, with where the explained value appears in the node's
/// output and how the node transforms the raw sum before writing it.
/// </summary>
/// <param name="Ensemble">The raw sum the node computes for the explained target or class.</param>
/// <param name="Link">One of <see cref="ExplainLinks"/>: identity for no post transform, logit for LOGISTIC.</param>
/// <param name="Output">The node output holding the explained value (a classifier's probabilities, a regressor's only output).</param>
/// <param name="Column">The column of <paramref name="Output"/> holding it (the target, or the class).</param>
public sealed record OnnxTreeEnsemble(TreeEnsemble Ensemble, string Link, string Output, int Column);

/// <summary>
/// Reads ai.onnx.ml <c>TreeEnsembleRegressor</c> and <c>TreeEnsembleClassifier</c> nodes into
/// <see cref="TreeEnsemble"/>s, reproducing ONNX Runtime's reading: NaN goes the true way where
/// <c>nodes_missing_value_tracks_true</c> says so (and always for BRANCH_NEQ, since NaN != t holds),
/// a leaf's weights for the explained target are summed, AVERAGE divides leaves by the tree count.
/// </summary>
public static class OnnxTreeEnsembles
{
    /// <summary>The op types read here.</summary>
    public static readonly IReadOnlySet<string> OpTypes = new HashSet<string> { "TreeEnsembleRegressor", "TreeEnsembleClassifier" };

    /// <summary>Whether a node is a tree ensemble of any kind (including ones <see cref="Read"/> refuses).</summary>
    public static bool IsTreeEnsemble(NodeProto node) => node.Domain == "ai.onnx.ml" && node.OpType.StartsWith("TreeEnsemble", StringComparison.Ordinal);

    /// <summary>Reads a tree ensemble node.</summary>
    /// <param name="node">A TreeEnsembleRegressor or TreeEnsembleClassifier node.</param>
    /// <param name="target">The regressor's target, or the classifier's class index; null: target 0, or the last class (the positive one of a binary classifier).</param>
    /// <exception cref="CairnException">The node is another op (the opset-5 <c>TreeEnsemble</c>), or uses something not expressible as a sum of trees (MIN/MAX, SOFTMAX, malformed trees); the message names it.</exception>
    public static OnnxTreeEnsemble Read(NodeProto node, int? target = null)
    {
        if (!IsTreeEnsemble(node) || !OpTypes.Contains(node.OpType))
            throw CairnException.InvalidParameter($"Cannot explain the {node.Domain}.{node.OpType} node '{node.Name}': Cairn reads TreeEnsembleRegressor and TreeEnsembleClassifier.");
        var attributes = node.Attribute.GroupBy(a => a.Name).ToDictionary(g => g.Key, g => g.First());
        AttributeProto? Get(string name) => attributes.GetValueOrDefault(name);
        string Where(string what) => $"{node.OpType} node '{node.Name}': {what}";

        var post = Get("post_transform")?.S.ToStringUtf8() is { Length: > 0 } p ? p : "NONE";
        var link = post switch
        {
            "NONE" => ExplainLinks.Identity,
            "LOGISTIC" => ExplainLinks.Logit,
            _ => throw CairnException.InvalidParameter(Where($"post_transform {post} mixes the targets or classes, so its output is not a link of one sum of trees; Cairn explains NONE and LOGISTIC.")),
        };
        var aggregate = Get("aggregate_function")?.S.ToStringUtf8() is { Length: > 0 } a ? a : "SUM";
        if (aggregate is not ("SUM" or "AVERAGE"))
            throw CairnException.InvalidParameter(Where($"aggregate_function {aggregate} is not a sum of trees; Cairn explains SUM and AVERAGE."));

        var treeIds = Ints("nodes_treeids"); var nodeIds = Ints("nodes_nodeids"); var features = Ints("nodes_featureids");
        var modes = Get("nodes_modes")?.Strings.Select(s => s.ToStringUtf8()).ToList() ?? throw Missing("nodes_modes");
        var thresholds = Doubles("nodes_values");
        var trueIds = Ints("nodes_truenodeids"); var falseIds = Ints("nodes_falsenodeids");
        var missingTrue = Get("nodes_missing_value_tracks_true")?.Ints.ToList() ?? [];
        var count = treeIds.Count;
        if (new[] { nodeIds.Count, features.Count, modes.Count, thresholds.Count, trueIds.Count, falseIds.Count }.Any(c => c != count) || missingTrue.Count is not 0 && missingTrue.Count != count)
            throw CairnException.InvalidParameter(Where("its nodes_* attributes have different lengths."));

        // The leaf weights of the explained target or class, and the column it is written to.
        var classifier = node.OpType == "TreeEnsembleClassifier";
        var prefix = classifier ? "class" : "target";
        var weightTrees = Ints($"{prefix}_treeids"); var weightNodes = Ints($"{prefix}_nodeids"); var weightIds = Ints($"{prefix}_ids");
        var weights = Doubles($"{prefix}_weights");
        if (weightNodes.Count != weightTrees.Count || weightIds.Count != weightTrees.Count || weights.Count != weightTrees.Count)
            throw CairnException.InvalidParameter(Where($"its {prefix}_* attributes have different lengths."));
        var baseValues = Get("base_values_as_tensor") is { } bt ? TensorDoubles(bt) : Get("base_values")?.Floats.Select(f => (double)f).ToList() ?? [];
        int column, weightId;
        double baseValue;
        if (classifier)
        {
            var classes = Math.Max(Get("classlabels_int64s")?.Ints.Count ?? 0, Get("classlabels_strings")?.Strings.Count ?? 0);
            if (classes == 0) throw CairnException.InvalidParameter(Where("it has no class labels."));
            column = target ?? classes - 1;
            if (column < 0 || column >= classes) throw CairnException.InvalidParameter(Where($"it has {classes} classes; class {column} does not exist."));
            var distinct = weightIds.Distinct().ToList();
            if (classes == 2 && distinct.Count == 1)
            {
                // One set of weights for a binary classifier (as skl2onnx writes): ONNX Runtime writes it as the second class's score.
                if (column != 1) throw CairnException.InvalidParameter(Where("a binary classifier with one set of weights is explained for its positive class (1)."));
                weightId = (int)distinct[0];
                baseValue = baseValues.Count == 2 ? baseValues[1] : baseValues.Count == 1 ? baseValues[0] : 0;
            }
            else
            {
                weightId = column;
                baseValue = column < baseValues.Count ? baseValues[column] : 0;
            }
        }
        else
        {
            var targets = (int)(Get("n_targets")?.I ?? 1);
            column = target ?? 0;
            if (column < 0 || column >= targets) throw CairnException.InvalidParameter(Where($"it has {targets} targets; target {column} does not exist."));
            weightId = column;
            baseValue = column < baseValues.Count ? baseValues[column] : 0;
        }

        var index = new Dictionary<(long Tree, long Node), int>();
        for (var i = 0; i < count; i++)
            if (!index.TryAdd((treeIds[i], nodeIds[i]), i)) throw CairnException.InvalidParameter(Where($"tree {treeIds[i]} lists node {nodeIds[i]} twice."));
        var leafValue = new double[count];
        for (var i = 0; i < weightTrees.Count; i++)
        {
            if (weightIds[i] != weightId) continue;
            if (!index.TryGetValue((weightTrees[i], weightNodes[i]), out var leaf) || modes[leaf] != "LEAF")
                throw CairnException.InvalidParameter(Where($"a weight names node {weightNodes[i]} of tree {weightTrees[i]}, which is not a leaf."));
            leafValue[leaf] += weights[i]; // several weights of one leaf for one target add up, as ONNX Runtime adds them
        }

        var trees = treeIds.Distinct().ToList(); // in the order they are first listed
        var scale = aggregate == "AVERAGE" ? 1.0 / trees.Count : 1.0;
        var parsed = new List<DecisionTree>(trees.Count);
        var byTree = Enumerable.Range(0, count).ToLookup(i => treeIds[i]);
        foreach (var tree in trees)
        {
            var members = byTree[tree].ToList();
            var children = new HashSet<int>();
            foreach (var i in members.Where(i => modes[i] != "LEAF"))
                foreach (var child in new[] { trueIds[i], falseIds[i] })
                {
                    if (!index.TryGetValue((tree, child), out var c)) throw CairnException.InvalidParameter(Where($"node {nodeIds[i]} of tree {tree} points to node {child}, which the tree lacks."));
                    if (!children.Add(c)) throw CairnException.InvalidParameter(Where($"node {child} of tree {tree} has two parents."));
                }
            var roots = members.Where(i => !children.Contains(i)).ToList();
            if (roots.Count != 1) throw CairnException.InvalidParameter(Where($"tree {tree} has {roots.Count} roots."));
            parsed.Add(Tree(roots[0], members.Count));
        }
        var maxFeature = Enumerable.Range(0, count).Where(i => modes[i] != "LEAF").Select(i => (int)features[i]).DefaultIfEmpty(-1).Max();
        return new OnnxTreeEnsemble(new TreeEnsemble { Trees = parsed, BaseValue = baseValue, FeatureCount = maxFeature + 1 }, link, node.Output[classifier ? 1 : 0], column);

        // A tree renumbered depth-first from its root, so that the root is node 0.
        DecisionTree Tree(int root, int size)
        {
            var order = new List<int>(size);
            var number = new Dictionary<int, int>();
            var stack = new Stack<int>([root]);
            while (stack.Count > 0)
            {
                var i = stack.Pop();
                number[i] = order.Count;
                order.Add(i);
                if (modes[i] == "LEAF") continue;
                stack.Push(index[(treeIds[i], falseIds[i])]);
                stack.Push(index[(treeIds[i], trueIds[i])]);
            }
            if (order.Count != size) throw CairnException.InvalidParameter(Where($"tree {treeIds[root]} has nodes its root does not reach."));
            var n = order.Count;
            var t = new DecisionTree
            {
                Feature = new int[n], Threshold = new float[n], Rule = new SplitRule[n], MissingGoesTrue = new bool[n],
                TrueChild = new int[n], FalseChild = new int[n], Value = new double[n],
            };
            for (var k = 0; k < n; k++)
            {
                var i = order[k];
                if (modes[i] == "LEAF")
                {
                    (t.Feature[k], t.TrueChild[k], t.FalseChild[k]) = (-1, -1, -1);
                    t.Value[k] = leafValue[i] * scale;
                    continue;
                }
                if (features[i] < 0) throw CairnException.InvalidParameter(Where($"node {nodeIds[i]} of tree {treeIds[i]} reads feature {features[i]}."));
                var rule = modes[i] switch
                {
                    "BRANCH_LEQ" => SplitRule.LessOrEqual,
                    "BRANCH_LT" => SplitRule.Less,
                    "BRANCH_GTE" => SplitRule.GreaterOrEqual,
                    "BRANCH_GT" => SplitRule.Greater,
                    "BRANCH_EQ" => SplitRule.Equal,
                    "BRANCH_NEQ" => SplitRule.NotEqual,
                    var other => throw CairnException.InvalidParameter(Where($"node mode {other} is not one Cairn reads.")),
                };
                t.Feature[k] = (int)features[i];
                t.Rule[k] = rule;
                t.Threshold[k] = FloatThreshold(thresholds[i], rule);
                // ONNX Runtime: NaN compares false, so it goes true only where marked, except for != which NaN satisfies.
                t.MissingGoesTrue[k] = rule == SplitRule.NotEqual || missingTrue.Count > 0 && missingTrue[i] != 0;
                t.TrueChild[k] = number[index[(treeIds[i], trueIds[i])]];
                t.FalseChild[k] = number[index[(treeIds[i], falseIds[i])]];
            }
            return t;
        }

        List<long> Ints(string name) => Get(name)?.Ints.ToList() ?? (name.StartsWith("nodes_", StringComparison.Ordinal) ? throw Missing(name) : []);
        List<double> Doubles(string name) =>
            Get(name + "_as_tensor") is { } tensor ? TensorDoubles(tensor)
            : Get(name)?.Floats.Select(f => (double)f).ToList() ?? (name.StartsWith("nodes_", StringComparison.Ordinal) ? throw Missing(name) : []);
        CairnException Missing(string name) => CairnException.InvalidParameter(Where($"it has no {name} attribute."));
    }

    /// <summary>
    /// A threshold as the float that splits float values the same way: ONNX Runtime compares a
    /// float input with a double threshold (the *_as_tensor form) in double.
    /// </summary>
    private static float FloatThreshold(double threshold, SplitRule rule)
    {
        var f = (float)threshold;
        if (f == threshold || double.IsNaN(threshold)) return f;
        var below = f < threshold ? f : MathF.BitDecrement(f);
        var above = f > threshold ? f : MathF.BitIncrement(f);
        return rule switch
        {
            SplitRule.LessOrEqual or SplitRule.Greater => below, // x <= t exactly when x <= the largest float below t
            SplitRule.Less or SplitRule.GreaterOrEqual => above,
            _ => float.NaN, // no float equals t: == never holds, != always does, as with NaN
        };
    }

    private static List<double> TensorDoubles(AttributeProto attribute)
    {
        var tensor = attribute.T ?? throw CairnException.InvalidParameter($"Attribute {attribute.Name} holds no tensor.");
        if (tensor.DoubleData.Count > 0) return [.. tensor.DoubleData];
        if (tensor.FloatData.Count > 0) return [.. tensor.FloatData.Select(f => (double)f)];
        var raw = tensor.RawData.Span;
        return tensor.DataType == (int)TensorProto.Types.DataType.Float
            ? [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw).ToArray().Select(f => (double)f)]
            : [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(raw).ToArray()];
    }
}
