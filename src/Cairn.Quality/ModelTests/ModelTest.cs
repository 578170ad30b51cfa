namespace Cairn.Quality.ModelTests;

/// <summary>One input row written in a tests file: input names and their values as text, typed against the model's signature when the test runs.</summary>
public sealed record TestRow(IReadOnlyDictionary<string, string> Values, int Line);

/// <summary>The rows a test scores: written in the file, or the first <paramref name="FromDataset"/> rows of the suite's dataset.</summary>
public sealed record TestRows(IReadOnlyList<TestRow>? Inline, int? FromDataset);

public enum PerturbOperation { Set, Add, Scale }

/// <summary>A change to one input of every row: set it to a value, add a number to it, or multiply it.</summary>
public sealed record Perturbation(string Input, PerturbOperation Operation, string Value)
{
    public override string ToString() => Operation switch
    {
        PerturbOperation.Set => $"{Input} set to {Value}",
        PerturbOperation.Add => $"{Input} + {Value}",
        _ => $"{Input} x {Value}",
    };
}

/// <summary>A behavioural test of a model (after Ribeiro et al.'s CheckList), as written in a tests file at <paramref name="Line"/>.</summary>
public abstract record ModelTest(string Name, int Line)
{
    /// <summary>The name used in the file after <c>test:</c>.</summary>
    public abstract string Kind { get; }
}

/// <summary>Each row gets the expected label and/or a score within [min, max].</summary>
public sealed record MinimumFunctionalityTest(string Name, TestRows Rows, string? ExpectedLabel, double? ScoreMin, double? ScoreMax, int Line) : ModelTest(Name, Line)
{
    public override string Kind => "minimum_functionality";
}

/// <summary>The perturbation changes no row's score by more than <paramref name="Epsilon"/>.</summary>
public sealed record InvarianceTest(string Name, TestRows Rows, Perturbation Perturb, double Epsilon, int Line) : ModelTest(Name, Line)
{
    public override string Kind => "invariance";
}

/// <summary>The perturbation moves no row's score the wrong way by more than <paramref name="Tolerance"/>.</summary>
public sealed record DirectionalTest(string Name, TestRows Rows, Perturbation Perturb, bool Up, double Tolerance, int Line) : ModelTest(Name, Line)
{
    public override string Kind => "directional";
}

public enum SliceMetric { Auc, Accuracy }

/// <summary>
/// The metric on every slice (the rows sharing a value of <paramref name="SliceBy"/>) with at least
/// <paramref name="MinSliceSize"/> rows is no worse than the overall one minus <paramref name="MaxDrop"/>,
/// and at least <paramref name="Min"/>.
/// </summary>
public sealed record SliceMetricTest(string Name, SliceMetric Metric, string SliceBy, double? MaxDrop, double? Min, long MinSliceSize, int Line) : ModelTest(Name, Line)
{
    public override string Kind => "slice_metric";
}

/// <summary>The <paramref name="Percentile"/>-th percentile of <paramref name="Calls"/> single-row predictions takes at most <paramref name="MaxMilliseconds"/>.</summary>
public sealed record LatencyTest(string Name, TestRows Rows, int Calls, double Percentile, double MaxMilliseconds, int Line) : ModelTest(Name, Line)
{
    public override string Kind => "latency";
}
