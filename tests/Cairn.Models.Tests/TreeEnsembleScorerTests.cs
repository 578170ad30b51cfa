using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using Cairn.Testing;

namespace Cairn.Models.Tests;

/// <summary>
/// The tree ensemble scorer against ONNX Runtime's own TreeEnsembleRegressor: random forests
/// with tied thresholds, NaN, infinities and values on a threshold; graphs it must not compile;
/// and a predictor that splits its graph around the ensemble, with values flowing past it.
/// </summary>
public class TreeEnsembleScorerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly float[] Thresholds = [-1f, 0f, 0.5f, 1f, 2.5f, 10f];

    /// <summary>Row values: every threshold exactly, values between and beyond them, NaN, both infinities and -0.</summary>
    private static readonly float[] RowValues = [.. Thresholds, -3f, 0.25f, 0.75f, 2f, 5f, 100f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f];

    /// <summary>A TreeEnsembleRegressor node over <paramref name="features"/> inputs with random trees (up to <paramref name="maxLeaves"/> leaves each).</summary>
    /// <param name="missingGoesTrue">The share of splits that send a missing value (NaN) the true way, as LightGBM's exporter marks some.</param>
    private static NodeProto RandomEnsemble(Random random, int trees, int features, int maxLeaves = 24, double missingGoesTrue = 0)
    {
        var (treeIds, nodeIds, featureIds, modes, values, trues, falses) = (new List<long>(), new List<long>(), new List<long>(), new List<string>(), new List<float>(), new List<long>(), new List<long>());
        var missing = new List<long>();
        var (targetTrees, targetNodes, targetWeights) = (new List<long>(), new List<long>(), new List<float>());
        for (var tree = 0; tree < trees; tree++)
        {
            var next = 0;
            var leaves = 1;
            // Node ids are given depth-first; the root is listed first (as ONNX Runtime requires) and the rest shuffled: ids, not positions, make the tree.
            var entries = new List<Action>();
            int Grow(int depth)
            {
                var id = next++;
                if (depth < (maxLeaves > 64 ? 12 : 7) && leaves < maxLeaves && random.NextDouble() < (maxLeaves > 64 ? 0.85 : 0.75))
                {
                    leaves++;
                    var (feature, threshold) = (random.Next(features), Thresholds[random.Next(Thresholds.Length)]);
                    var goesTrue = random.NextDouble() < missingGoesTrue ? 1L : 0L;
                    var left = Grow(depth + 1);
                    var right = Grow(depth + 1);
                    var t = tree;
                    entries.Add(() => { treeIds.Add(t); nodeIds.Add(id); featureIds.Add(feature); modes.Add("BRANCH_LEQ"); values.Add(threshold); trues.Add(left); falses.Add(right); missing.Add(goesTrue); });
                }
                else
                {
                    var t = tree;
                    entries.Add(() => { treeIds.Add(t); nodeIds.Add(id); featureIds.Add(0); modes.Add("LEAF"); values.Add(0); trues.Add(0); falses.Add(0); missing.Add(0); });
                    targetTrees.Add(t); targetNodes.Add(id); targetWeights.Add((float)(random.NextDouble() * 2 - 1));
                }
                return id;
            }
            Grow(0);
            entries[^1]();
            foreach (var add in entries[..^1].OrderBy(_ => random.Next())) add();
        }
        var node = new NodeProto { OpType = "TreeEnsembleRegressor", Domain = "ai.onnx.ml", Name = "ensemble" };
        node.Input.Add("X");
        node.Output.Add("Y");
        node.Attribute.Add(Ints("nodes_treeids", treeIds));
        node.Attribute.Add(Ints("nodes_nodeids", nodeIds));
        node.Attribute.Add(Ints("nodes_featureids", featureIds));
        node.Attribute.Add(Strings("nodes_modes", modes));
        node.Attribute.Add(Floats("nodes_values", values));
        node.Attribute.Add(Ints("nodes_truenodeids", trues));
        node.Attribute.Add(Ints("nodes_falsenodeids", falses));
        node.Attribute.Add(Ints("nodes_missing_value_tracks_true", missing));
        node.Attribute.Add(Ints("target_treeids", targetTrees));
        node.Attribute.Add(Ints("target_nodeids", targetNodes));
        node.Attribute.Add(Ints("target_ids", targetTrees.Select(_ => 0L)));
        node.Attribute.Add(Floats("target_weights", targetWeights));
        node.Attribute.Add(Floats("base_values", [0.25f]));
        node.Attribute.Add(new AttributeProto { Name = "n_targets", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        node.Attribute.Add(new AttributeProto { Name = "aggregate_function", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("SUM") });
        return node;
    }

    private static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static AttributeProto Floats(string name, IEnumerable<float> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        attribute.Floats.AddRange(values);
        return attribute;
    }

    private static AttributeProto Strings(string name, IEnumerable<string> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        attribute.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return attribute;
    }

    private static ValueInfoProto Tensor(string name, int elementType, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = shape } } };
    }

    /// <summary>A model: graph input X [N, features] → ensemble → output Y, plus whatever <paramref name="extend"/> adds.</summary>
    private static byte[] Model(NodeProto ensemble, int features, Action<GraphProto>? extend = null)
    {
        var model = new ModelProto { IrVersion = 8 };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 15 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx.ml", Version = 3 });
        var graph = new GraphProto { Name = "forest" };
        graph.Input.Add(Tensor("X", (int)TensorProto.Types.DataType.Float, -1, features));
        graph.Node.Add(ensemble);
        graph.Output.Add(Tensor("Y", (int)TensorProto.Types.DataType.Float, -1, 1));
        extend?.Invoke(graph);
        model.Graph = graph;
        return model.ToByteArray();
    }

    private static float[] RandomRows(Random random, int rows, int features) =>
        Enumerable.Range(0, rows * features).Select(_ => RowValues[random.Next(RowValues.Length)]).ToArray();

    private static float[] OrtScores(byte[] model, float[] x, int rows, int features, string output = "Y", params NamedOnnxValue[] more)
    {
        using var session = new InferenceSession(model);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("X", new DenseTensor<float>(x, [rows, features])), .. more], [output]);
        return results.Single().AsTensor<float>().ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(expected[i].Equals(actual[i]) || Math.Abs(expected[i] - actual[i]) <= 1e-5f * Math.Max(1, Math.Abs(expected[i])),
                $"row {i}: ONNX Runtime {expected[i]}, Cairn {actual[i]}");
    }

    [Theory]
    [InlineData(1, 1, 3, 0, 24)]
    [InlineData(2, 20, 9, 0, 24)]    // a scan over one 8-wide block and a scalar tail
    [InlineData(3, 100, 40, 0, 24)]
    [InlineData(4, 7, 16, 0, 24)]
    [InlineData(5, 50, 12, 0.5, 24)] // some splits send NaN the true way, some not
    [InlineData(6, 30, 5, 1, 24)]    // every split sends NaN the true way
    [InlineData(7, 9, 10, 0.3, 250)] // trees of more than 64 leaves: several words of leaf bits
    public void RandomForests_ScoreAsOnnxRuntimeDoes_OnTiesNaNAndInfinities(int seed, int trees, int features, double missingGoesTrue, int maxLeaves)
    {
        var random = new Random(seed);
        var ensemble = RandomEnsemble(random, trees, features, maxLeaves, missingGoesTrue);
        if (maxLeaves > 64) Assert.Contains(LeavesPerTree(ensemble), n => n > 128);
        var model = Model(ensemble, features);
        const int rows = 2000;
        var x = RandomRows(random, rows, features);

        var scorer = TreeEnsembleScorer.TryCompile(ensemble);
        Assert.NotNull(scorer);
        var scores = new float[rows];
        scorer.Score(x, features, scores);

        AssertClose(OrtScores(model, x, rows, features), scores);
    }

    private static IEnumerable<int> LeavesPerTree(NodeProto ensemble)
    {
        var trees = ensemble.Attribute.Single(a => a.Name == "nodes_treeids").Ints;
        var modes = ensemble.Attribute.Single(a => a.Name == "nodes_modes").Strings;
        return trees.Zip(modes).Where(p => p.Second.ToStringUtf8() == "LEAF").GroupBy(p => p.First).Select(g => g.Count());
    }

    [Fact]
    public void TreesOf256Leaves_Compile_And257DoNot()
    {
        // A chain: every split's true side is a leaf, so n splits make n + 1 leaves.
        NodeProto Chain(int leaves)
        {
            var node = RandomEnsemble(new Random(5), 1, 1, maxLeaves: 1);
            var splits = leaves - 1;
            long[] ids = [.. Enumerable.Range(0, 2 * splits + 1).Select(i => (long)i)];
            void Set(string name, IEnumerable<long> values) { var a = node.Attribute.Single(a => a.Name == name); a.Ints.Clear(); a.Ints.AddRange(values); }
            Set("nodes_treeids", ids.Select(_ => 0L));
            Set("nodes_nodeids", ids);
            Set("nodes_featureids", ids.Select(_ => 0L));
            Set("nodes_truenodeids", ids.Select(i => i < splits ? splits + i : 0));         // split i: true → leaf splits + i
            Set("nodes_falsenodeids", ids.Select(i => i < splits - 1 ? i + 1 : i < splits ? 2L * splits : 0)); // false → next split, the last → final leaf
            Set("nodes_missing_value_tracks_true", ids.Select(_ => 0L));
            Set("target_treeids", ids.Skip(splits).Select(_ => 0L));
            Set("target_nodeids", ids.Skip(splits));
            Set("target_ids", ids.Skip(splits).Select(_ => 0L));
            var modes = node.Attribute.Single(a => a.Name == "nodes_modes").Strings;
            modes.Clear();
            modes.AddRange(ids.Select(i => ByteString.CopyFromUtf8(i < splits ? "BRANCH_LEQ" : "LEAF")));
            var values = node.Attribute.Single(a => a.Name == "nodes_values").Floats;
            values.Clear();
            values.AddRange(ids.Select(i => (float)i));
            var weights = node.Attribute.Single(a => a.Name == "target_weights").Floats;
            weights.Clear();
            weights.AddRange(ids.Skip(splits).Select(i => (float)i));
            return node;
        }

        var fits = Chain(256);
        var scorer = TreeEnsembleScorer.TryCompile(fits);
        Assert.NotNull(scorer);
        float[] x = [-5f, 0f, 0.5f, 30f, 62f, 63f, 64f, 127.5f, 128f, 200f, 254f, 255f, 1000f, float.NaN];
        var scores = new float[x.Length];
        scorer.Score(x, 1, scores);
        AssertClose(OrtScores(Model(fits, 1), x, x.Length, 1), scores);
        Assert.Null(TreeEnsembleScorer.TryCompile(Chain(257)));
    }

    public static TheoryData<string, Action<NodeProto>> Unsupported => new()
    {
        { "BRANCH_LT splits", n => { var m = n.Attribute.Single(a => a.Name == "nodes_modes").Strings; for (var i = 0; i < m.Count; i++) if (m[i].ToStringUtf8() != "LEAF") m[i] = ByteString.CopyFromUtf8("BRANCH_LT"); } },
        { "a logistic post transform", n => n.Attribute.Add(new AttributeProto { Name = "post_transform", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("LOGISTIC") }) },
        { "a leaf with two weights", n => { n.Attribute.Single(a => a.Name == "target_treeids").Ints.Add(n.Attribute.Single(a => a.Name == "target_treeids").Ints[0]); n.Attribute.Single(a => a.Name == "target_nodeids").Ints.Add(n.Attribute.Single(a => a.Name == "target_nodeids").Ints[0]); n.Attribute.Single(a => a.Name == "target_ids").Ints.Add(0); n.Attribute.Single(a => a.Name == "target_weights").Floats.Add(0.5f); } },
        { "the average of the trees", n => n.Attribute.Single(a => a.Name == "aggregate_function").S = ByteString.CopyFromUtf8("AVERAGE") },
    };

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void GraphsTheScorerDoesNotReproduce_AreNotCompiled_AndThePredictorStillScoresThemRight(string what, Action<NodeProto> alter)
    {
        var random = new Random(what.Length);
        var ensemble = RandomEnsemble(random, 10, 4);
        alter(ensemble);
        var model = Model(ensemble, 4);
        var path = _folder.File("unsupported.onnx");
        File.WriteAllBytes(path, model);
        const int rows = 300;
        var x = RandomRows(random, rows, 4);

        Assert.Null(TreeEnsembleScorer.TryCompile(ensemble));
        using var predictor = new OnnxPredictor(path);
        Assert.False(predictor.TreeEnsembleCompiled);
        var predicted = predictor.PredictColumns([new TensorColumn("X", x, 4)], rows);
        AssertClose(OrtScores(model, x, rows, 4), (float[])predicted.Single(c => c.Name == "Y").Values);
    }

    [Fact]
    public void SplitGraph_FeedsTheTailWithTheScore_AGraphInput_AndAValueTheHeadComputed()
    {
        // Y = ensemble(X); Offset2 = Offset * 2 (a head value the tail reads); Z = (Y + Offset) * Offset2.
        var random = new Random(9);
        var ensemble = RandomEnsemble(random, 30, 6);
        var model = Model(ensemble, 6, graph =>
        {
            graph.Input.Add(Tensor("Offset", (int)TensorProto.Types.DataType.Float, -1, 1));
            var two = new TensorProto { Name = "Two", DataType = (int)TensorProto.Types.DataType.Float };
            two.FloatData.Add(2f);
            graph.Initializer.Add(two);
            graph.Node.Add(Node("Mul", ["Offset", "Two"], "Offset2"));
            graph.Node.Add(Node("Add", ["Y", "Offset"], "Shifted"));
            graph.Node.Add(Node("Mul", ["Shifted", "Offset2"], "Z"));
            graph.Output.Clear();
            graph.Output.Add(Tensor("Z", (int)TensorProto.Types.DataType.Float, -1, 1));
            graph.Output.Add(Tensor("Offset2", (int)TensorProto.Types.DataType.Float, -1, 1));
        });
        var path = _folder.File("tail.onnx");
        File.WriteAllBytes(path, model);
        const int rows = 500;
        var x = RandomRows(random, rows, 6);
        var offset = Enumerable.Range(0, rows).Select(i => i * 0.01f - 2f).ToArray();
        var offsetFeed = NamedOnnxValue.CreateFromTensor("Offset", new DenseTensor<float>(offset, [rows, 1]));

        using var predictor = new OnnxPredictor(path);
        var predicted = predictor.PredictColumns([new TensorColumn("X", x, 6), new TensorColumn("Offset", offset, 1)], rows);

        Assert.True(predictor.TreeEnsembleCompiled);
        AssertClose(OrtScores(model, x, rows, 6, "Z", offsetFeed), (float[])predicted.Single(c => c.Name == "Z").Values);
        AssertClose(OrtScores(model, x, rows, 6, "Offset2", offsetFeed), (float[])predicted.Single(c => c.Name == "Offset2").Values);
        // Below the split's minimum the whole graph runs: the same answers.
        var few = predictor.PredictColumns([new TensorColumn("X", x[..(6 * 3)], 6), new TensorColumn("Offset", offset[..3], 1)], 3);
        AssertClose(OrtScores(model, x, rows, 6, "Z", offsetFeed)[..3], (float[])few.Single(c => c.Name == "Z").Values);
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    [Fact]
    public void LightGbmFlightsModel_WhoseSplitsSendSomeMissingValuesTrue_IsCompiled_AndAgreesWithOnnxRuntime()
    {
        var flights = FlightsModel.Instance;
        var ml = flights.Ml;
        // Every 5th distance missing, so that LightGBM learns where missing values go.
        var rows = flights.Rows.Select((r, i) => new FlightExample
        {
            Hour = r.Hour, DayOfWeek = r.DayOfWeek, Distance = i % 5 == 0 ? float.NaN : r.Distance, Origin = r.Origin, Destination = r.Destination, Late = r.Late,
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Categorical.OneHotEncoding([new("OriginCode", "Origin"), new("DestinationCode", "Destination")])
            .Append(ml.Transforms.Concatenate("Features", "Hour", "DayOfWeek", "Distance", "OriginCode", "DestinationCode"))
            .Append(ml.BinaryClassification.Trainers.LightGbm(labelColumnName: "Late", numberOfLeaves: 31, numberOfIterations: 50))
            .Fit(data);
        var path = _folder.File("lightgbm.onnx");
        using (var file = File.Create(path)) ml.Model.ConvertToOnnx(model, data, file);
        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph;
        var sample = rows.Take(3000).ToList();
        List<TensorColumn> columns =
        [
            new("Hour", sample.Select(r => r.Hour).ToArray(), 1), new("DayOfWeek", sample.Select(r => r.DayOfWeek).ToArray(), 1),
            new("Distance", sample.Select(r => r.Distance).ToArray(), 1), new("Origin", sample.Select(r => r.Origin).ToArray(), 1),
            new("Destination", sample.Select(r => r.Destination).ToArray(), 1), new("Late", sample.Select(r => r.Late).ToArray(), 1),
        ];

        using var predictor = new OnnxPredictor(path);
        var predicted = predictor.PredictColumns(columns, sample.Count).Single(c => c.Name == "Probability");
        using var whole = new InferenceSession(path);
        using var expected = whole.Run(columns.Select(c => TensorArraysForTests.Feed(c, sample.Count)).ToList(), ["Probability.output"]);

        Assert.Contains(graph.Node.Single(n => n.OpType == "TreeEnsembleRegressor").Attribute.Single(a => a.Name == "nodes_missing_value_tracks_true").Ints, v => v == 1);
        Assert.True(predictor.TreeEnsembleCompiled);
        AssertClose(expected.Single().AsTensor<float>().ToArray(), (float[])predicted.Values);
    }

    [Fact]
    public void AnEnsembleFedByAnothersScore_IsNotSplit_AndStillScoresRight()
    {
        var random = new Random(11);
        var first = RandomEnsemble(random, 10, 4);
        var second = RandomEnsemble(random, 10, 1);
        second.Input[0] = "Y";
        second.Output[0] = "Y2";
        second.Name = "second";
        var model = Model(first, 4, graph =>
        {
            graph.Node.Add(second);
            graph.Output.Clear();
            graph.Output.Add(Tensor("Y2", (int)TensorProto.Types.DataType.Float, -1, 1));
        });
        var path = _folder.File("chained.onnx");
        File.WriteAllBytes(path, model);
        const int rows = 200;
        var x = RandomRows(random, rows, 4);

        using var predictor = new OnnxPredictor(path);
        var predicted = predictor.PredictColumns([new TensorColumn("X", x, 4)], rows);

        Assert.False(predictor.TreeEnsembleCompiled);
        AssertClose(OrtScores(model, x, rows, 4, "Y2"), (float[])predicted.Single(c => c.Name == "Y2").Values);
    }

    private sealed class PeriodFlight
    {
        public float Hour { get; set; }
        public float Distance { get; set; }
        public string Origin { get; set; } = "";
        public string Period { get; set; } = "";
    }

    [Fact]
    public void LightGbmMulticlassModel_OneEnsemblePerClass_IsCompiled_AndAgreesWithOnnxRuntime()
    {
        var ml = new MLContext(seed: 7);
        var rows = FlightsModel.Instance.Rows.Select(r => new PeriodFlight
        {
            Hour = r.Hour, Distance = r.Distance, Origin = r.Origin, Period = r.DayOfWeek switch { 0 or 6 => "weekend", < 3 => "early", _ => "late" },
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Conversion.MapValueToKey("Label", "Period")
            .Append(ml.Transforms.Categorical.OneHotEncoding("OriginCode", "Origin"))
            .Append(ml.Transforms.Concatenate("Features", "Hour", "Distance", "OriginCode"))
            .Append(ml.MulticlassClassification.Trainers.LightGbm(numberOfLeaves: 16, numberOfIterations: 30))
            .Fit(data);
        var path = _folder.File("multiclass.onnx");
        using (var file = File.Create(path)) ml.Model.ConvertToOnnx(model, data, file);
        var sample = rows.Take(2000).ToList();
        List<TensorColumn> columns =
        [
            new("Hour", sample.Select(r => r.Hour).ToArray(), 1), new("Distance", sample.Select(r => r.Distance).ToArray(), 1),
            new("Origin", sample.Select(r => r.Origin).ToArray(), 1), new("Period", sample.Select(r => r.Period).ToArray(), 1),
        ];

        using var predictor = new OnnxPredictor(path);
        var predicted = predictor.PredictColumns(columns, sample.Count).ToDictionary(c => c.Name, c => c.Values);
        using var whole = new InferenceSession(path);
        using var expected = whole.Run(columns.Select(c => TensorArraysForTests.Feed(c, sample.Count)).ToList(), ["Score.output", "PredictedLabel.output"]);
        var byName = expected.ToDictionary(r => r.Name, r => r.Value);

        Assert.Equal(3, ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Node.Count(n => n.OpType == "TreeEnsembleRegressor"));
        Assert.True(predictor.TreeEnsembleCompiled);
        AssertClose(((Tensor<float>)byName["Score.output"]).ToArray(), (float[])predicted["Score"]);
        Assert.Equal(((Tensor<uint>)byName["PredictedLabel.output"]).ToArray(), (uint[])predicted["PredictedLabel"]);
    }

    [Fact]
    public void UnsignedIntegerInputsAndOutputs_AreFedAndRead_InRowsAndColumns()
    {
        // Y = X + float(K); KOut = K (uint32 in and out, as ML.NET exports key-typed columns).
        var model = new ModelProto { IrVersion = 8 };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 15 });
        var graph = new GraphProto { Name = "keys" };
        graph.Input.Add(Tensor("X", (int)TensorProto.Types.DataType.Float, -1, 1));
        graph.Input.Add(Tensor("K", (int)TensorProto.Types.DataType.Uint32, -1, 1));
        var cast = Node("Cast", ["K"], "KFloat");
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
        graph.Node.Add(cast);
        graph.Node.Add(Node("Add", ["X", "KFloat"], "Y"));
        graph.Node.Add(Node("Identity", ["K"], "KOut"));
        graph.Output.Add(Tensor("Y", (int)TensorProto.Types.DataType.Float, -1, 1));
        graph.Output.Add(Tensor("KOut", (int)TensorProto.Types.DataType.Uint32, -1, 1));
        model.Graph = graph;
        var path = _folder.File("keys.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        using var predictor = new OnnxPredictor(path);

        var rows = predictor.Predict([new Dictionary<string, object?> { ["X"] = 1.5f, ["K"] = 3 }, new Dictionary<string, object?> { ["X"] = 0f, ["K"] = 4_000_000_000L }]);
        var columns = predictor.PredictColumns([new TensorColumn("X", new[] { 1.5f, 0f }, 1), new TensorColumn("K", new uint[] { 3, 7 }, 1)], 2);
        var negative = Assert.Throws<CairnException>(() => predictor.Predict([new Dictionary<string, object?> { ["X"] = 1f, ["K"] = -1 }]));

        Assert.Equal(4.5f, rows[0]["Y"]);
        Assert.Equal(3u, rows[0]["KOut"]);
        Assert.Equal(4_000_000_000u, rows[1]["KOut"]);
        Assert.Equal(new[] { 4.5f, 7f }, (float[])columns.Single(c => c.Name == "Y").Values);
        Assert.Equal(new uint[] { 3, 7 }, (uint[])columns.Single(c => c.Name == "KOut").Values);
        Assert.Contains("'K' in row 0", negative.Message);
    }

    [Fact]
    public void RowsNarrowerThanTheFeaturesTheTreesRead_AreAClearError()
    {
        var scorer = TreeEnsembleScorer.TryCompile(RandomEnsemble(new Random(3), 20, 12))!;

        var error = Assert.Throws<CairnException>(() => scorer.Score(new float[10 * 5], 5, new float[10]));

        Assert.Contains($"reads feature {scorer.FeaturesRead - 1}", error.Message);
        Assert.Contains("rows have 5 values", error.Message);
    }
}

/// <summary>Columns as ONNX Runtime feeds ([rows, width] tensors), for sessions opened without Cairn.</summary>
internal static class TensorArraysForTests
{
    public static NamedOnnxValue Feed(TensorColumn column, int rows) => column.Values switch
    {
        float[] a => NamedOnnxValue.CreateFromTensor(column.Name, new DenseTensor<float>(a, [rows, column.Width])),
        string[] a => NamedOnnxValue.CreateFromTensor(column.Name, new DenseTensor<string>(a, [rows, column.Width])),
        bool[] a => NamedOnnxValue.CreateFromTensor(column.Name, new DenseTensor<bool>(a, [rows, column.Width])),
        _ => throw new NotSupportedException(column.Values.GetType().Name),
    };
}
