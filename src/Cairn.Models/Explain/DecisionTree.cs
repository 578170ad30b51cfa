namespace Cairn.Models.Explain;

/// <summary>How a split compares a feature value with its threshold; a row goes to the true child when the comparison holds.</summary>
public enum SplitRule
{
    /// <summary>value &lt;= threshold (ONNX BRANCH_LEQ; ML.NET and LightGBM splits).</summary>
    LessOrEqual,
    /// <summary>value &lt; threshold (BRANCH_LT).</summary>
    Less,
    /// <summary>value &gt;= threshold (BRANCH_GTE).</summary>
    GreaterOrEqual,
    /// <summary>value &gt; threshold (BRANCH_GT).</summary>
    Greater,
    /// <summary>value == threshold (BRANCH_EQ; categorical splits).</summary>
    Equal,
    /// <summary>value != threshold (BRANCH_NEQ).</summary>
    NotEqual,
}

/// <summary>
/// One decision tree as parallel arrays indexed by node, root at 0. A node is a leaf when its
/// <see cref="Feature"/> is -1. Arrays rather than node objects: explaining walks every tree for
/// every row and background row, and this keeps a tree in a few cache lines.
/// </summary>
public sealed class DecisionTree
{
    /// <summary>Per node: the feature (index into the feature vector) its split reads, or -1 for a leaf.</summary>
    public required int[] Feature { get; init; }
    /// <summary>Per node: the split's threshold (unused for a leaf).</summary>
    public required float[] Threshold { get; init; }
    /// <summary>Per node: how the split compares (unused for a leaf).</summary>
    public required SplitRule[] Rule { get; init; }
    /// <summary>Per node: whether a missing value (NaN) goes to the true child; otherwise it goes to the false child.</summary>
    public required bool[] MissingGoesTrue { get; init; }
    /// <summary>Per node: the child taken when the comparison holds (-1 for a leaf).</summary>
    public required int[] TrueChild { get; init; }
    /// <summary>Per node: the child taken otherwise (-1 for a leaf).</summary>
    public required int[] FalseChild { get; init; }
    /// <summary>Per node: the leaf's value (already multiplied by any weight the ensemble applies; 0 for a split).</summary>
    public required double[] Value { get; init; }
    /// <summary>Per node: how many training (or background) rows reached it, or null when the model does not carry counts.</summary>
    public double[]? Cover { get; init; }

    /// <summary>How many nodes the tree has.</summary>
    public int NodeCount => Feature.Length;

    /// <summary>Whether node <paramref name="node"/> sends <paramref name="value"/> to its true child.</summary>
    public bool GoesTrue(int node, float value)
    {
        if (float.IsNaN(value)) return MissingGoesTrue[node];
        var t = Threshold[node];
        return Rule[node] switch
        {
            SplitRule.LessOrEqual => value <= t,
            SplitRule.Less => value < t,
            SplitRule.GreaterOrEqual => value >= t,
            SplitRule.Greater => value > t,
            SplitRule.Equal => value == t,
            _ => value != t,
        };
    }

    /// <summary>The leaf a row reaches.</summary>
    public int LeafOf(ReadOnlySpan<float> row)
    {
        var node = 0;
        while (Feature[node] >= 0) node = GoesTrue(node, row[Feature[node]]) ? TrueChild[node] : FalseChild[node];
        return node;
    }
}
