using Cairn.Models.Explain;
using Microsoft.ML;
using static Cairn.Models.Tests.Explain.OnnxGraphs;

namespace Cairn.Models.Tests.Explain;

/// <summary>
/// Reading an ONNX model as a tree ensemble over its input columns: the ensemble must give what
/// ONNX Runtime gives for the explained output, and each vector slot must go to the column it
/// is computed from.
/// </summary>
public class OnnxTreeModelTests
{
    private static readonly ModelSignature FlightsSignature = new(
        [new("Hour", "float"), new("DayOfWeek", "float"), new("Distance", "float"), new("Origin", "string"), new("Destination", "string")], []);

    private static readonly Lazy<byte[]> FastTreeOnnx = new(() =>
    {
        var flights = FlightsModel.Instance;
        using var stream = new MemoryStream();
        flights.Ml.Model.ConvertToOnnx(flights.Model, flights.Ml.Data.LoadFromEnumerable(flights.Rows.Take(100)), stream);
        return stream.ToArray();
    });

    /// <summary>Flights rows, with missing hours and distances and an origin never seen in training among them.</summary>
    private static List<IReadOnlyDictionary<string, object?>> FlightRows(int count) =>
        FlightsModel.Instance.Rows.Skip(5000).Take(count).Select((f, i) => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["Hour"] = i % 7 == 0 ? float.NaN : f.Hour, ["DayOfWeek"] = f.DayOfWeek, ["Distance"] = i % 5 == 0 ? float.NaN : f.Distance,
            ["Origin"] = i % 11 == 0 ? "XYZ" : f.Origin, ["Destination"] = f.Destination,
        }).ToList();

    private static void AssertReproduces(OnnxTreeModel model, List<IReadOnlyDictionary<string, object?>> rows)
    {
        var vectors = model.FeatureVectors(rows);
        var expected = model.ModelOutputs(rows);
        for (var r = 0; r < rows.Count; r++)
        {
            var raw = model.Ensemble.Predict(vectors[r]);
            var actual = model.Link == ExplainLinks.Logit ? 1 / (1 + Math.Exp(-raw)) : raw;
            Assert.True(Math.Abs(actual - expected[r]) <= 1e-5 * Math.Max(1, Math.Abs(expected[r])), $"row {r}: ONNX Runtime {expected[r]}, ensemble {actual}");
        }
        model.EnsureReproduces(rows, vectors);
    }

    [Fact]
    public void FastTreeFlightsModel_TheEnsemble_GivesTheScoreOnnxRuntimeGives_IncludingMissingValues()
    {
        using var model = OnnxTreeModel.TryLoad(FastTreeOnnx.Value, FlightsSignature);

        Assert.NotNull(model);
        Assert.Equal("Score", model.OutputName);
        Assert.Equal(ExplainLinks.Identity, model.Link); // ML.NET's Score is the margin; Probability comes from a calibrator after it
        Assert.Equal(40, model.Ensemble.Trees.Count);
        AssertReproduces(model, FlightRows(1500));
    }

    [Fact]
    public void FastTreeFlightsModel_SlotsGoToTheColumnsTheyComeFrom_EveryOneHotOriginSlotToOrigin()
    {
        using var model = OnnxTreeModel.TryLoad(FastTreeOnnx.Value, FlightsSignature)!;
        var origins = FlightsModel.Instance.Rows.Select(r => r.Origin).Distinct().Count();
        var destinations = FlightsModel.Instance.Rows.Select(r => r.Destination).Distinct().Count();

        Assert.Equal(["Hour", "DayOfWeek", "Distance", "Origin", "Destination"], model.Features);
        Assert.Equal(3 + origins + destinations, model.GroupOf.Length);
        Assert.Equal([0, 1, 2], model.GroupOf[..3]);
        Assert.Equal(Enumerable.Repeat(3, origins), model.GroupOf[3..(3 + origins)]);
        Assert.Equal(Enumerable.Repeat(4, destinations), model.GroupOf[(3 + origins)..]);

        // Changing one column changes only slots of its player.
        var row = FlightRows(2)[1];
        var vector = model.FeatureVectors([row])[0];
        foreach (var (column, values) in new (string, object[])[] { ("Hour", [3f, 4f]), ("DayOfWeek", [6f, 5f]), ("Distance", [4321f, 99f]), ("Origin", ["SEA", "ORD"]), ("Destination", ["JFK", "ATL"]) })
        {
            var changed = new Dictionary<string, object?>(row) { [column] = values.First(v => !v.Equals(row[column])) };
            var other = model.FeatureVectors([changed])[0];
            var differing = Enumerable.Range(0, vector.Length).Where(i => !vector[i].Equals(other[i])).ToList();
            Assert.True(differing.Count > 0, $"changing {column} changed no slot");
            Assert.All(differing, i => Assert.Equal(column, model.Features[model.GroupOf[i]]));
        }
    }

    [Fact]
    public void LightGbmFlightsModel_WhoseSplitsSendSomeMissingValuesTrue_GivesTheScoreOnnxRuntimeGives()
    {
        var flights = FlightsModel.Instance;
        var ml = new MLContext(seed: 3);
        var rows = flights.Rows.Take(4000).Select((r, i) => new FlightExample
        {
            Hour = r.Hour, DayOfWeek = r.DayOfWeek, Distance = i % 5 == 0 ? float.NaN : r.Distance, Origin = r.Origin, Destination = r.Destination, Late = r.Late,
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var trained = ml.Transforms.Categorical.OneHotEncoding([new("OriginCode", "Origin"), new("DestinationCode", "Destination")])
            .Append(ml.Transforms.Concatenate("Features", "Hour", "DayOfWeek", "Distance", "OriginCode", "DestinationCode"))
            .Append(ml.BinaryClassification.Trainers.LightGbm(labelColumnName: "Late", numberOfLeaves: 31, numberOfIterations: 30))
            .Fit(data);
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(trained, data, stream);

        using var model = OnnxTreeModel.TryLoad(stream.ToArray(), FlightsSignature);

        Assert.NotNull(model);
        Assert.Equal("Score", model.OutputName);
        Assert.Contains(model.Ensemble.Trees, t => t.MissingGoesTrue.Any(m => m));
        AssertReproduces(model, FlightRows(1500));
    }

    /// <summary>A binary classifier as skl2onnx writes a gradient boosting one: one set of class weights, LOGISTIC, no ZipMap.</summary>
    private static byte[] BinaryClassifier(string postTransform = "LOGISTIC")
    {
        TreeNode[] nodes =
        [
            Split(0, 0, "BRANCH_LEQ", 0, 0.5f, 1, 2), Split(0, 1, "BRANCH_LEQ", 1, 1f, 3, 4), Leaf(0, 2, 0.8f), Leaf(0, 3, -0.6f), Leaf(0, 4, 0.1f),
            Split(1, 0, "BRANCH_LEQ", 2, 2.5f, 1, 2), Leaf(1, 1, -0.3f), Split(1, 2, "BRANCH_LEQ", 0, -1f, 3, 4), Leaf(1, 3, 0.2f), Leaf(1, 4, 0.45f),
        ];
        var classifier = Ensemble("TreeEnsembleClassifier", nodes, "X", ["label", "probabilities"],
            Ints("classlabels_int64s", [0, 1]), String("post_transform", postTransform), Floats("base_values", [0.3f]));
        return Model([Tensor("X", F32, -1, 3)], [classifier], [Tensor("label", I64, -1), Tensor("probabilities", F32, -1, 2)]);
    }

    private static List<IReadOnlyDictionary<string, object?>> TensorRows(string name, int width, int count, int seed)
    {
        float[] values = [-2f, -1f, 0f, 0.5f, 1f, 2f, 2.5f, 3f, 7f, float.NaN];
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            [name] = Enumerable.Range(0, width).Select(_ => values[random.Next(values.Length)]).ToArray(),
        })];
    }

    [Fact]
    public void BinaryClassifierAsSkl2OnnxWritesIt_IsExplainedForThePositiveClass_InLogOdds()
    {
        using var model = OnnxTreeModel.TryLoad(BinaryClassifier(), null);

        Assert.NotNull(model);
        Assert.Equal(ExplainLinks.Logit, model.Link);
        Assert.Equal("probabilities[1]", model.OutputName);
        Assert.Equal(0.3, model.Ensemble.BaseValue, 6);
        Assert.Equal(["X"], model.Features);
        Assert.Equal([0, 0, 0], model.GroupOf);
        AssertReproduces(model, TensorRows("X", 3, 400, 1));
    }

    [Fact]
    public void BinaryClassifierWithoutPostTransform_IsExplainedAsItsScore()
    {
        using var model = OnnxTreeModel.TryLoad(BinaryClassifier("NONE"), null)!;

        Assert.Equal(ExplainLinks.Identity, model.Link);
        AssertReproduces(model, TensorRows("X", 3, 400, 2));
    }

    /// <summary>
    /// Three trees averaged, listed out of order (tree 2 first, each tree's other nodes after its root
    /// shuffled), with every split mode; the vector is [A·B, C, A], so A and B share a player.
    /// </summary>
    private static byte[] AveragedRegressor()
    {
        TreeNode[] nodes =
        [
            Split(2, 0, "BRANCH_NEQ", 1, 1f, 1, 2), Leaf(2, 2, 5f), Split(2, 1, "BRANCH_GT", 2, 0.5f, 3, 4, missingTrue: true), Leaf(2, 4, 2f), Leaf(2, 3, -1f),
            Split(0, 0, "BRANCH_LT", 0, 1f, 1, 2, missingTrue: true), Leaf(0, 1, 3f), Split(0, 2, "BRANCH_GTE", 2, 2f, 3, 4), Leaf(0, 4, -2f), Leaf(0, 3, 1.5f),
            Split(1, 0, "BRANCH_EQ", 2, 0f, 1, 2), Leaf(1, 1, 0.25f), Split(1, 2, "BRANCH_LEQ", 1, 2.5f, 3, 4, missingTrue: true), Leaf(1, 3, -0.75f), Leaf(1, 4, 4f),
        ];
        var regressor = Ensemble("TreeEnsembleRegressor", nodes, "V", ["Y"],
            Int("n_targets", 1), String("aggregate_function", "AVERAGE"), Floats("base_values", [1.5f]));
        return Model(
            [Tensor("A", F32, -1, 1), Tensor("B", F32, -1, 1), Tensor("C", F32, -1, 1)],
            [Node("Mul", ["A", "B"], "AB"), Node("Concat", ["AB", "C", "A"], "V", Int("axis", 1)), regressor],
            [Tensor("Y", F32, -1, 1)]);
    }

    [Fact]
    public void AveragedRegressor_WithEverySplitMode_ListedOutOfOrder_GivesWhatOnnxRuntimeGives_AndColumnsSharingASlotAreOnePlayer()
    {
        using var model = OnnxTreeModel.TryLoad(AveragedRegressor(), null);
        float[] values = [-1f, 0f, 0.5f, 1f, 2f, 2.5f, 3f, float.NaN];
        var random = new Random(4);
        var rows = Enumerable.Range(0, 500).Select(_ => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["A"] = values[random.Next(values.Length)], ["B"] = values[random.Next(values.Length)], ["C"] = values[random.Next(values.Length)],
        }).ToList();

        Assert.NotNull(model);
        Assert.Equal("Y", model.OutputName);
        Assert.Equal(ExplainLinks.Identity, model.Link);
        Assert.Equal(["A+B", "C"], model.Features);
        Assert.Equal([0, 1, 0], model.GroupOf);
        Assert.Equal(3, model.Ensemble.Trees.Count);
        Assert.Equal(5.0 / 3, model.Ensemble.Trees[0].Value.Where(v => v != 0).Max(), 6); // tree 2 first, its leaf 5 divided by the tree count
        AssertReproduces(model, rows);
    }

    [Fact]
    public void SlotsPickedWithGather_GoToTheColumnsTheyArePickedFrom()
    {
        // V = [B, A, B] gathered from [A, B].
        var indices = new Onnx.TensorProto { Name = "picked", DataType = (int)Onnx.TensorProto.Types.DataType.Int64 };
        indices.Dims.Add(3);
        indices.Int64Data.AddRange([1, 0, 1]);
        TreeNode[] nodes = [Split(0, 0, "BRANCH_LEQ", 2, 1f, 1, 2), Leaf(0, 1, 1f), Split(0, 2, "BRANCH_LEQ", 1, 0.5f, 3, 4), Leaf(0, 3, -2f), Leaf(0, 4, 3f)];
        var graph = Model([Tensor("A", F32, -1, 1), Tensor("B", F32, -1, 1)],
            [Node("Concat", ["A", "B"], "AB", Int("axis", 1)), Node("Gather", ["AB", "picked"], "V", Int("axis", 1)),
                Ensemble("TreeEnsembleRegressor", nodes, "V", ["Y"], Int("n_targets", 1))],
            [Tensor("Y", F32, -1, 1)], indices);
        using var model = OnnxTreeModel.TryLoad(graph, null)!;

        Assert.Equal(["A", "B"], model.Features);
        Assert.Equal([1, 0, 1], model.GroupOf);
        AssertReproduces(model, [.. new[] { (0f, 0f), (0f, 2f), (1f, 0.5f), (2f, 3f) }.Select(p => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["A"] = p.Item1, ["B"] = p.Item2 })]);
    }

    [Fact]
    public void ALeafWithSeveralWeightsForTheTarget_AddsThemUp()
    {
        var node = Ensemble("TreeEnsembleRegressor", [Split(0, 0, "BRANCH_LEQ", 0, 1f, 1, 2), Leaf(0, 1, 2f), Leaf(0, 2, -1f)], "X", ["Y"]);
        node.Attribute.Single(a => a.Name == "target_treeids").Ints.Add(0);
        node.Attribute.Single(a => a.Name == "target_nodeids").Ints.Add(1);
        node.Attribute.Single(a => a.Name == "target_ids").Ints.Add(0);
        node.Attribute.Single(a => a.Name == "target_weights").Floats.Add(0.5f);

        var read = OnnxTreeEnsembles.Read(node);

        Assert.Equal(2.5, read.Ensemble.Predict([0f]), 6);
        Assert.Equal(-1, read.Ensemble.Predict([3f]), 6);
    }

    /// <summary>Three classes, each leaf weighing for one or two of them, no post transform.</summary>
    private static byte[] ThreeClassClassifier()
    {
        TreeNode[] nodes =
        [
            Split(0, 0, "BRANCH_LEQ", 0, 0.5f, 1, 2), Leaf(0, 1, 0.8f, 0), Split(0, 2, "BRANCH_LEQ", 1, 2f, 3, 4), Leaf(0, 3, 0.4f, 1), Leaf(0, 4, 0.6f, 2),
            Split(1, 0, "BRANCH_LEQ", 1, 1f, 1, 2), Leaf(1, 1, 0.3f, 2), Leaf(1, 2, 0.9f, 0),
        ];
        var classifier = Ensemble("TreeEnsembleClassifier", nodes, "X", ["label", "probabilities"],
            Ints("classlabels_int64s", [0, 1, 2]), Floats("base_values", [0.1f, 0.2f, 0.3f]));
        // Leaf 3 of tree 0 and leaf 1 of tree 1 also weigh for class 2.
        classifier.Attribute.Single(a => a.Name == "class_treeids").Ints.AddRange([0, 1]);
        classifier.Attribute.Single(a => a.Name == "class_nodeids").Ints.AddRange([3, 1]);
        classifier.Attribute.Single(a => a.Name == "class_ids").Ints.AddRange([2, 1]);
        classifier.Attribute.Single(a => a.Name == "class_weights").Floats.AddRange([0.25f, 0.7f]);
        return Model([Tensor("X", F32, -1, 2)], [classifier], [Tensor("label", I64, -1), Tensor("probabilities", F32, -1, 3)]);
    }

    [Theory]
    [InlineData(null, 2)]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    public void MulticlassClassifier_IsExplainedForTheChosenClass_TheLastByDefault(int? chosen, int explained)
    {
        using var model = OnnxTreeModel.TryLoad(ThreeClassClassifier(), null, chosen)!;

        Assert.Equal($"probabilities[{explained}]", model.OutputName);
        Assert.Equal(0.1 * (explained + 1), model.Ensemble.BaseValue, 6);
        AssertReproduces(model, TensorRows("X", 2, 300, explained));
    }

    [Fact]
    public void DoubleThresholds_SplitFloatValuesAsOnnxRuntimeDoes()
    {
        // ONNX Runtime reads double thresholds for double inputs. 0.1 and 2.7 are not floats: a float row value
        // next to either must go the way ONNX Runtime sends it when comparing in double.
        TreeNode[] nodes =
        [
            Split(0, 0, "BRANCH_LEQ", 0, 0, 1, 2), Leaf(0, 1, 1f), Split(0, 2, "BRANCH_LT", 0, 0, 3, 4), Leaf(0, 3, 2f), Leaf(0, 4, 4f),
            Split(1, 0, "BRANCH_GTE", 0, 0, 1, 2), Leaf(1, 1, 8f), Split(1, 2, "BRANCH_GT", 0, 0, 3, 4), Leaf(1, 3, 16f), Leaf(1, 4, 32f),
        ];
        var regressor = Ensemble("TreeEnsembleRegressor", nodes, "X", ["Y"], Int("n_targets", 1));
        regressor.Attribute.Remove(regressor.Attribute.Single(a => a.Name == "nodes_values"));
        var thresholds = new Onnx.TensorProto { DataType = (int)Onnx.TensorProto.Types.DataType.Double };
        thresholds.Dims.Add(nodes.Length);
        thresholds.DoubleData.AddRange([0.1, 0, 2.7, 0, 0, 0.1, 0, 2.7, 0, 0]);
        regressor.Attribute.Add(new Onnx.AttributeProto { Name = "nodes_values_as_tensor", Type = Onnx.AttributeProto.Types.AttributeType.Tensor, T = thresholds });
        using var model = OnnxTreeModel.TryLoad(Model([Tensor("X", (int)Onnx.TensorProto.Types.DataType.Double, -1, 1)], [regressor], [Tensor("Y", F32, -1, 1)]), null)!;
        float[] values = [0f, 0.1f, MathF.BitDecrement(0.1f), MathF.BitIncrement(0.1f), 1f, 2.7f, MathF.BitDecrement(2.7f), MathF.BitIncrement(2.7f), 3f, float.NaN];

        AssertReproduces(model, [.. values.Select(v => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["X"] = new[] { v } })]);
    }

    [Fact]
    public void ATreeListedLeavesFirst_IsReadFromTheRootTheChildLinksShow()
    {
        // Root 7 listed last: x <= 1 goes to leaf 3 (weight 2), else to leaf 5 (weight -1).
        var node = Ensemble("TreeEnsembleRegressor", [Leaf(0, 5, -1f), Leaf(0, 3, 2f), Split(0, 7, "BRANCH_LEQ", 0, 1f, 3, 5)], "X", ["Y"]);

        var read = OnnxTreeEnsembles.Read(node);

        Assert.Equal(0, read.Ensemble.Trees[0].Feature[0]);
        Assert.Equal(2, read.Ensemble.Predict([1f]), 6);
        Assert.Equal(-1, read.Ensemble.Predict([1.5f]), 6);
    }

    public static TheoryData<string, string, Func<byte[]>> Unsupported => new()
    {
        {
            "the opset-5 TreeEnsemble op", "ai.onnx.ml.TreeEnsemble node",
            () =>
            {
                var node = Ensemble("TreeEnsembleRegressor", [Split(0, 0, "BRANCH_LEQ", 0, 1f, 1, 2), Leaf(0, 1, 2f), Leaf(0, 2, -1f)], "X", ["Y"]);
                node.OpType = "TreeEnsemble";
                return Model([Tensor("X", F32, -1, 1)], [node], [Tensor("Y", F32, -1, 1)]);
            }
        },
        { "a softmax", "post_transform SOFTMAX", () => BinaryClassifier("SOFTMAX") },
        {
            "the maximum of the trees", "aggregate_function MAX",
            () => Model([Tensor("X", F32, -1, 1)],
                [Ensemble("TreeEnsembleRegressor", [Split(0, 0, "BRANCH_LEQ", 0, 1f, 1, 2), Leaf(0, 1, 2f), Leaf(0, 2, -1f)], "X", ["Y"], String("aggregate_function", "MAX"))],
                [Tensor("Y", F32, -1, 1)])
        },
        {
            "two ensembles added up", "computed from 2 tree ensembles",
            () =>
            {
                var first = Ensemble("TreeEnsembleRegressor", [Split(0, 0, "BRANCH_LEQ", 0, 1f, 1, 2), Leaf(0, 1, 2f), Leaf(0, 2, -1f)], "X", ["Y1"]);
                var second = Ensemble("TreeEnsembleRegressor", [Split(0, 0, "BRANCH_LEQ", 0, 3f, 1, 2), Leaf(0, 1, 1f), Leaf(0, 2, 0f)], "X", ["Y2"]);
                second.Name = "second";
                return Model([Tensor("X", F32, -1, 1)], [first, second, Node("Add", ["Y1", "Y2"], "Y")], [Tensor("Y", F32, -1, 1)]);
            }
        },
    };

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void AnEnsembleCairnCannotExplain_IsRefused_NamingWhatItUses(string what, string named, Func<byte[]> graph)
    {
        var error = Assert.Throws<CairnException>(() => OnnxTreeModel.TryLoad(graph(), null));

        Assert.True(error.Message.Contains(named, StringComparison.Ordinal), $"{what}: {error.Message}");
    }

    [Fact]
    public void AGraphWithoutTrees_IsNoTreeModel()
    {
        var graph = Model([Tensor("X", F32, -1, 1)], [Node("Identity", ["X"], "Y")], [Tensor("Y", F32, -1, 1)]);

        Assert.Null(OnnxTreeModel.TryLoad(graph, null));
    }

    [Fact]
    public void ARowWithoutAnInput_IsRefused_NamingTheInputAndTheRow()
    {
        using var model = OnnxTreeModel.TryLoad(FastTreeOnnx.Value, FlightsSignature)!;
        var rows = FlightRows(3);
        rows[2] = rows[2].Where(kv => kv.Key != "Distance").ToDictionary();

        var error = Assert.Throws<CairnException>(() => model.FeatureVectors(rows));

        Assert.Contains("Missing input 'Distance' in row 2", error.Message);
    }

    [Fact]
    public void AnEnsembleThatDoesNotGiveTheModelsOutput_IsRefused_RatherThanExplained()
    {
        // A leaf with two weights: Cairn adds them up, ONNX Runtime does not, so the outputs differ where the leaf is reached.
        var node = Ensemble("TreeEnsembleRegressor", [Split(0, 0, "BRANCH_LEQ", 0, 1f, 1, 2), Leaf(0, 1, 2f), Leaf(0, 2, -1f)], "X", ["Y"], Int("n_targets", 1));
        node.Attribute.Single(a => a.Name == "target_treeids").Ints.Add(0);
        node.Attribute.Single(a => a.Name == "target_nodeids").Ints.Add(1);
        node.Attribute.Single(a => a.Name == "target_ids").Ints.Add(0);
        node.Attribute.Single(a => a.Name == "target_weights").Floats.Add(0.5f);
        using var model = OnnxTreeModel.TryLoad(Model([Tensor("X", F32, -1, 1)], [node], [Tensor("Y", F32, -1, 1)]), null)!;
        List<IReadOnlyDictionary<string, object?>> rows = [new Dictionary<string, object?> { ["X"] = new[] { 0f } }];

        var error = Assert.Throws<CairnException>(() => model.EnsureReproduces(rows, model.FeatureVectors(rows)));

        Assert.Contains("does not reproduce", error.Message);
    }
}
