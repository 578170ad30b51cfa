using YamlDotNet.RepresentationModel;

namespace Cairn.Quality.ModelTests;

/// <summary>How a labelled dataset's rows become a model's inputs and labels.</summary>
/// <param name="Location">A CSV or Parquet path (relative paths are relative to the tests file) or a <c>data:/</c> URI.</param>
/// <param name="Inputs">Model input name to a column, or to a part of a timestamp column (<c>date.hour</c>); inputs not listed read the column of the same name, ignoring case.</param>
public sealed record DatasetSpec(string Location, LabelSpec? Label, IReadOnlyDictionary<string, string> Inputs, int Line);

/// <summary>
/// Which rows are positive: a boolean (or 0/1) <paramref name="Column"/>; or, with
/// <paramref name="Above"/>, a number greater than it; or, with <paramref name="EqualTo"/>, that value.
/// </summary>
public sealed record LabelSpec(string Column, double? Above, string? EqualTo);

/// <summary>
/// A model tests file: which output is the score, an optional labelled dataset, and the tests.
/// See docs/quality.md for the format.
/// </summary>
public sealed class ModelTestSuite
{
    public string Source { get; }
    /// <summary>The output read as the score (default: Probability, else Score).</summary>
    public string? ScoreOutput { get; }
    /// <summary>The output read as the predicted label (default: PredictedLabel when the model has it).</summary>
    public string? LabelOutput { get; }
    /// <summary>The score at or above which a row counts as positive when the model has no label output.</summary>
    public double Threshold { get; }
    public DatasetSpec? Dataset { get; }
    public IReadOnlyList<ModelTest> Tests { get; }

    public ModelTestSuite(string source, string? scoreOutput, string? labelOutput, double threshold, DatasetSpec? dataset, IReadOnlyList<ModelTest> tests)
    {
        Source = source;
        ScoreOutput = scoreOutput;
        LabelOutput = labelOutput;
        Threshold = threshold;
        Dataset = dataset;
        Tests = tests;
    }

    public static readonly IReadOnlyList<string> Kinds = ["minimum_functionality", "invariance", "directional", "slice_metric", "latency"];

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the file and line of what is wrong.</exception>
    public static ModelTestSuite Load(string path)
    {
        if (!File.Exists(path)) throw CairnException.InvalidParameter($"The model tests file '{path}' does not exist.");
        return Parse(File.ReadAllText(path), path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <param name="baseDirectory">What a relative dataset path is relative to (default: the current folder).</param>
    public static ModelTestSuite Parse(string yaml, string source, string? baseDirectory = null)
    {
        var root = YamlMap.Load(yaml, source);
        var score = root.String("score");
        var label = root.String("predicted_label");
        var threshold = root.Number("threshold") ?? 0.5;
        var dataset = root.Map("dataset") is { } d ? ParseDataset(d, baseDirectory) : null;
        var list = root.Sequence("tests") ?? throw root.Error("'tests' is missing: give the list of tests");
        var tests = new List<ModelTest>();
        foreach (var node in list.Children)
        {
            if (node is not YamlMappingNode map) throw YamlMap.Error(source, node, "each test must be a mapping starting with 'test: <kind>'");
            tests.Add(ParseTest(new YamlMap(map, source), tests.Count + 1));
        }
        root.RejectUnknownKeys();
        if (tests.Count == 0) throw root.Error("'tests' is empty: nothing to test");
        foreach (var test in tests)
            if (NeedsDataset(test) && dataset is null)
                throw CairnException.InvalidParameter($"{source} line {test.Line}: the {test.Kind} test reads the dataset, but the file has no 'dataset' section.");
        return new ModelTestSuite(source, score, label, threshold, dataset, tests);
    }

    public static bool NeedsDataset(ModelTest test) => test switch
    {
        SliceMetricTest => true,
        MinimumFunctionalityTest t => t.Rows.FromDataset is not null,
        InvarianceTest t => t.Rows.FromDataset is not null,
        DirectionalTest t => t.Rows.FromDataset is not null,
        LatencyTest t => t.Rows.FromDataset is not null,
        _ => false,
    };

    private static DatasetSpec ParseDataset(YamlMap map, string? baseDirectory)
    {
        var location = map.RequiredString("path", "a CSV or Parquet file, or a data:/<name>@<version> URI");
        if (!Cairn.Data.DataUri.IsDataUri(location) && baseDirectory is not null) location = Path.GetFullPath(location, baseDirectory);
        LabelSpec? label = map.Find("label") switch
        {
            null => null,
            YamlScalarNode column => new LabelSpec(map.Scalar(column, "label"), null, null),
            YamlMappingNode spec => ParseLabel(new YamlMap(spec, map.Source)),
            var other => throw map.Error(other, "'label' must be a column name or a mapping with 'column' and 'above' or 'equals'"),
        };
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (map.Map("inputs") is { } mapped)
            foreach (var (key, value) in mapped.Node.Children)
                inputs[mapped.Scalar(key, "inputs")] = mapped.Scalar(value, "inputs");
        map.RejectUnknownKeys();
        return new DatasetSpec(location, label, inputs, map.Line);
    }

    private static LabelSpec ParseLabel(YamlMap map)
    {
        var label = new LabelSpec(map.RequiredString("column", "the label column"), map.Number("above"), map.String("equals"));
        if (label.Above is not null && label.EqualTo is not null) throw map.Error("give 'above' or 'equals', not both");
        map.RejectUnknownKeys();
        return label;
    }

    private static ModelTest ParseTest(YamlMap map, int index)
    {
        var kindNode = map.Required("test", $"the kind of test ({string.Join(", ", Kinds)})");
        var kind = map.Scalar(kindNode, "test");
        var name = map.String("name") ?? $"{kind} #{index}";
        var line = map.Line;
        ModelTest test = kind switch
        {
            "minimum_functionality" => MinimumFunctionality(map, name, line),
            "invariance" => new InvarianceTest(name, Rows(map), Perturb(map), NonNegative(map, "epsilon") ?? throw map.Error("'invariance' needs 'epsilon': how much a score may change"), line),
            "directional" => new DirectionalTest(name, Rows(map), Perturb(map), Direction(map), NonNegative(map, "tolerance") ?? 0, line),
            "slice_metric" => SliceMetric(map, name, line),
            "latency" => Latency(map, name, line),
            _ => throw map.Error(kindNode, $"unknown test '{kind}' (known: {string.Join(", ", Kinds)})"),
        };
        map.RejectUnknownKeys();
        return test;
    }

    private static MinimumFunctionalityTest MinimumFunctionality(YamlMap map, string name, int line)
    {
        var label = map.String("expect_label");
        double? min = null, max = null;
        if (map.Map("expect_score") is { } score)
        {
            min = score.Number("min");
            max = score.Number("max");
            score.RejectUnknownKeys();
            if (min is null && max is null) throw score.Error("'expect_score' needs 'min', 'max' or both");
            if (min > max) throw score.Error($"'min' ({min}) is greater than 'max' ({max})");
        }
        if (label is null && min is null && max is null) throw map.Error("'minimum_functionality' needs 'expect_label', 'expect_score' or both");
        return new MinimumFunctionalityTest(name, Rows(map), label, min, max, line);
    }

    private static SliceMetricTest SliceMetric(YamlMap map, string name, int line)
    {
        var metricNode = map.Required("metric", "auc or accuracy");
        var metric = map.Scalar(metricNode, "metric") switch
        {
            "auc" => ModelTests.SliceMetric.Auc,
            "accuracy" => ModelTests.SliceMetric.Accuracy,
            var other => throw map.Error(metricNode, $"unknown metric '{other}' (use auc or accuracy)"),
        };
        var maxDrop = NonNegative(map, "max_drop");
        var min = map.Number("min");
        if (maxDrop is null && min is null) throw map.Error("'slice_metric' needs 'max_drop' (against the overall metric), 'min', or both");
        return new SliceMetricTest(name, metric, map.RequiredString("slice_by", "the column whose values make the slices"), maxDrop, min, map.Integer("min_slice_size", 1) ?? 30, line);
    }

    private static LatencyTest Latency(YamlMap map, string name, int line)
    {
        var calls = map.Integer("calls", 1) ?? 200;
        if (calls > 1_000_000) throw map.Error(map.Find("calls")!, "'calls' is at most 1,000,000");
        var percentile = map.Number("percentile") ?? 99;
        if (percentile is <= 0 or > 100) throw map.Error("'percentile' must be above 0 and at most 100");
        var maxMs = NonNegative(map, "max_ms") ?? throw map.Error("'latency' needs 'max_ms': the budget in milliseconds");
        return new LatencyTest(name, Rows(map), (int)calls, percentile, maxMs, line);
    }

    private static double? NonNegative(YamlMap map, string key)
    {
        var value = map.Number(key);
        return value is null or >= 0 ? value : throw map.Error(map.Find(key)!, $"'{key}' must not be negative");
    }

    private static bool Direction(YamlMap map)
    {
        var node = map.Required("direction", "up or down");
        return map.Scalar(node, "direction") switch
        {
            "up" => true,
            "down" => false,
            var other => throw map.Error(node, $"'direction' must be up or down, not '{other}'"),
        };
    }

    private static Perturbation Perturb(YamlMap map)
    {
        var spec = map.Map("perturb") ?? throw map.Error("'perturb' is missing: give the input and one of set, add or scale");
        var input = spec.RequiredString("input", "the model input to change");
        var operations = new[] { ("set", PerturbOperation.Set), ("add", PerturbOperation.Add), ("scale", PerturbOperation.Scale) }
            .Where(o => spec.Has(o.Item1)).ToList();
        if (operations.Count != 1) throw spec.Error("give exactly one of 'set', 'add' or 'scale'");
        var (key, operation) = operations[0];
        var value = spec.RequiredString(key, "the value");
        if (operation != PerturbOperation.Set) spec.ToNumber(spec.Find(key)!, key);
        spec.RejectUnknownKeys();
        return new Perturbation(input, operation, value);
    }

    private static TestRows Rows(YamlMap map)
    {
        var fromDataset = map.Integer("dataset_rows", 1);
        var list = map.Sequence("rows");
        if ((fromDataset is null) == (list is null)) throw map.Error("give the rows to score: 'rows' (a list of input values) or 'dataset_rows' (how many rows of the dataset), not both");
        if (list is null) return new TestRows(null, (int)Math.Min(fromDataset!.Value, 1_000_000));
        var rows = new List<TestRow>();
        foreach (var node in list.Children)
        {
            if (node is not YamlMappingNode row) throw map.Error(node, "each row must be a mapping of input names to values");
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in row.Children) values[map.Scalar(key, "rows")] = map.Scalar(value, "rows");
            rows.Add(new TestRow(values, (int)row.Start.Line));
        }
        if (rows.Count == 0) throw map.Error(list, "'rows' is empty");
        return new TestRows(rows, null);
    }
}
