using System.Globalization;
using Cairn.Artifacts;
using Cairn.Testing;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Cairn.Models.Tests;

/// <summary>A flight with its arrival delay in minutes, for a regression.</summary>
public sealed class DelayedFlight
{
    public float Hour { get; set; }
    public float Distance { get; set; }
    public string Origin { get; set; } = "";
    public float Delay { get; set; }
    public bool Late { get; set; }
}

/// <summary>ML.NET autologging: TrainAndLog and EvaluateAndLog on real flights, checked against ML.NET's own numbers.</summary>
public class AutologTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly MLContext _ml = new(seed: 1);
    private readonly IDataView _train;
    private readonly IDataView _validation;

    public AutologTests()
    {
        // date,delay,distance,origin,destination; 4,000 flights, the last quarter held out.
        var flights = File.ReadLines(FlightsModel.SamplePath).Skip(1).Where((_, i) => i % 7 == 0).Take(4000).Select(line =>
        {
            var f = line.Split(',');
            var delay = float.Parse(f[1], CultureInfo.InvariantCulture);
            return new DelayedFlight
            {
                Hour = DateTime.Parse(f[0], CultureInfo.InvariantCulture).Hour, Distance = float.Parse(f[2], CultureInfo.InvariantCulture),
                Origin = f[3], Delay = Math.Clamp(delay, -60, 240), Late = delay > 15,
            };
        }).ToList();
        _train = _ml.Data.LoadFromEnumerable(flights.Take(3000));
        _validation = _ml.Data.LoadFromEnumerable(flights.Skip(3000));
    }

    public void Dispose() => _folder.Dispose();

    private CairnClient Open() => CairnClient.Open(_folder.File("store"));

    private EstimatorChain<ColumnConcatenatingTransformer> Featurizer() =>
        _ml.Transforms.Categorical.OneHotEncoding("OriginCode", "Origin").Append(_ml.Transforms.Concatenate("Features", "Hour", "Distance", "OriginCode"));

    /// <summary>A fresh options object each time: fitting changes some of its fields (HistogramPoolSize).</summary>
    private static FastTreeRegressionTrainer.Options RegressionOptions => new()
    {
        LabelColumnName = "Delay", NumberOfTrees = 30, NumberOfLeaves = 8, LearningRate = 0.15, MinimumExampleCountPerLeaf = 5,
    };

    private static async Task<List<(long Step, double Value)>> History(CairnClient cairn, string runId, string key) =>
        (await cairn.Tracking.GetMetricHistoryAsync(runId, key)).Items.OrderBy(m => m.Step).Select(m => (m.Step, m.Value)).ToList();

    private static async Task<string> ReadArtifact(CairnClient cairn, string artifactRoot, string file)
    {
        await using var stream = await cairn.Artifacts.OpenReadAsync(ArtifactPath.Combine(artifactRoot, file));
        return await new StreamReader(stream).ReadToEndAsync();
    }

    [Fact]
    public async Task TrainAndLog_FastTreeRegression_LogsEveryOptionAsAParam()
    {
        using var cairn = Open();
        string runId;
        using (var run = cairn.StartRun("autolog"))
        {
            run.TrainAndLog(_ml, Featurizer().Append(_ml.Regression.Trainers.FastTree(RegressionOptions)), _train,
                options: new AutologOptions { LogModel = false });
            runId = run.RunId;
        }

        var @params = (await cairn.Tracking.GetRunAsync(runId)).Data.Params.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("FastTreeRegressionTrainer", @params["trainer"]);
        Assert.Equal("30", @params["trainer.NumberOfTrees"]);
        Assert.Equal("8", @params["trainer.NumberOfLeaves"]);
        Assert.Equal("0.15", @params["trainer.LearningRate"]);
        Assert.Equal("5", @params["trainer.MinimumExampleCountPerLeaf"]);
        Assert.Equal("Delay", @params["trainer.LabelColumnName"]);
        // Every simple public field and property of the options, as set before fitting (defaults included), and nothing else under trainer.
        var set = RegressionOptions;
        var members = typeof(FastTreeRegressionTrainer.Options).GetFields().Select(f => (f.Name, Type: f.FieldType, Value: f.GetValue(set)))
            .Concat(typeof(FastTreeRegressionTrainer.Options).GetProperties().Select(p => (p.Name, Type: p.PropertyType, Value: p.GetValue(set))));
        var expected = members
            .Where(m => (m.Type.IsPrimitive || m.Type.IsEnum || m.Type == typeof(string) || Nullable.GetUnderlyingType(m.Type)?.IsPrimitive == true) && m.Value is not null)
            .ToDictionary(m => $"trainer.{m.Name}", m => Convert.ToString(m.Value, CultureInfo.InvariantCulture)!);
        Assert.Contains("trainer.EarlyStoppingMetric", expected.Keys);
        Assert.Equal(expected.OrderBy(kv => kv.Key), @params.Where(kv => kv.Key.StartsWith("trainer.")).OrderBy(kv => kv.Key)!);
    }

    [Fact]
    public async Task TrainAndLog_FastTreeRegression_LastCurvePointsAreTheRmseOfTheModelsPredictions()
    {
        using var cairn = Open();
        TrainedModel<TransformerChain<RegressionPredictionTransformer<FastTreeRegressionModelParameters>>> trained;
        string runId;
        using (var run = cairn.StartRun("autolog"))
        {
            trained = run.TrainAndLog(_ml, Featurizer().Append(_ml.Regression.Trainers.FastTree(RegressionOptions)), _train, _validation,
                new AutologOptions { LogModel = false, CurveEvery = 4 });
            runId = run.RunId;
        }

        static double Rmse(IDataView scored)
        {
            var labels = scored.GetColumn<float>("Delay").ToArray();
            var scores = scored.GetColumn<float>("Score").ToArray();
            return Math.Sqrt(labels.Zip(scores, (y, s) => ((double)s - y) * ((double)s - y)).Average());
        }
        var validation = await History(cairn, runId, "validation_rmse");
        var train = await History(cairn, runId, "train_rmse");
        Assert.Equal([4L, 8, 12, 16, 20, 24, 28, 30], validation.Select(p => p.Step));
        Assert.Equal(validation.Select(p => p.Step), train.Select(p => p.Step));
        Assert.Equal(Rmse(trained.Model.Transform(_validation)), validation[^1].Value, 1e-4);
        Assert.Equal(Rmse(trained.Model.Transform(_train)), train[^1].Value, 1e-4);
        Assert.True(train[^1].Value < train[0].Value, "boosting lowers the training error");
    }

    [Fact]
    public async Task TrainAndLog_CurvesOnASample_EndAtTheRmseOfTheFirstRows()
    {
        using var cairn = Open();
        ITransformer model;
        string runId;
        using (var run = cairn.StartRun("autolog"))
        {
            model = run.TrainAndLog(_ml, Featurizer().Append(_ml.Regression.Trainers.FastTree(RegressionOptions)), _train, _validation,
                new AutologOptions { LogModel = false, CurveRows = 1000 }).Model;
            runId = run.RunId;
        }

        var scored = model.Transform(_ml.Data.TakeRows(_train, 1000));
        var labels = scored.GetColumn<float>("Delay").ToArray();
        var scores = scored.GetColumn<float>("Score").ToArray();
        var curve = await History(cairn, runId, "train_rmse");
        Assert.Equal(1000, labels.Length);
        Assert.Equal(Math.Sqrt(labels.Zip(scores, (y, s) => ((double)s - y) * ((double)s - y)).Average()), curve[^1].Value, 1e-4);
        Assert.Equal(30 / ((30 + AutologOptions.DefaultCurvePoints - 1) / AutologOptions.DefaultCurvePoints), curve.Count);
        // The validation set has exactly 1,000 rows: its curve is on all of them.
        var validation = model.Transform(_validation);
        var validationRmse = Math.Sqrt(validation.GetColumn<float>("Delay").Zip(validation.GetColumn<float>("Score"), (y, s) => ((double)s - y) * ((double)s - y)).Average());
        Assert.Equal(validationRmse, (await History(cairn, runId, "validation_rmse"))[^1].Value, 1e-4);
    }

    [Fact]
    public async Task TrainAndLog_FastTreeBinary_LastValidationLogLossIsTheLogLossOfTheModelsProbabilities()
    {
        using var cairn = Open();
        string runId;
        ITransformer model;
        using (var run = cairn.StartRun("autolog"))
        {
            model = run.TrainAndLog(_ml, Featurizer().Append(_ml.BinaryClassification.Trainers.FastTree("Late", numberOfLeaves: 8, numberOfTrees: 25)),
                _train, _validation, new AutologOptions { LogModel = false }).Model;
            runId = run.RunId;
        }

        var scored = model.Transform(_validation);
        var labels = scored.GetColumn<bool>("Late").ToArray();
        var probabilities = scored.GetColumn<float>("Probability").ToArray();
        var handLogLoss = labels.Zip(probabilities, (y, p) => -Math.Log(y ? p : 1 - p, 2)).Average();
        var curve = await History(cairn, runId, "validation_log_loss");
        Assert.Equal(Enumerable.Range(1, 25).Select(t => (long)t), curve.Select(p => p.Step));
        Assert.Equal(handLogLoss, curve[^1].Value, 1e-4);
        Assert.Equal(_ml.BinaryClassification.Evaluate(scored, "Late").LogLoss, curve[^1].Value, 1e-4);
    }

    [Fact]
    public async Task TrainAndLog_LogsFeatureImportanceWithSlotNamesAndAPackageThatLoadsAndPredicts()
    {
        using var cairn = Open();
        TrainedModel<TransformerChain<RegressionPredictionTransformer<FastTreeRegressionModelParameters>>> trained;
        string artifactRoot;
        using (var run = cairn.StartRun("autolog"))
        {
            trained = run.TrainAndLog(_ml, Featurizer().Append(_ml.Regression.Trainers.FastTree(RegressionOptions)), _train);
            artifactRoot = run.ArtifactRoot;
        }

        var csv = (await ReadArtifact(cairn, artifactRoot, FeatureImportance.CsvFile)).TrimEnd('\n').Split('\n');
        VBuffer<ReadOnlyMemory<char>> slots = default;
        trained.Model.Take(2).Aggregate(_train, (d, t) => t.Transform(d)).Schema["Features"].GetSlotNames(ref slots);
        var slotNames = slots.DenseValues().Select(s => s.ToString()).ToHashSet();
        Assert.Equal("feature,gain", csv[0]);
        Assert.Contains(csv.Skip(1), line => line.StartsWith("Distance,"));
        Assert.All(csv.Skip(1), line => Assert.Contains(line[..line.LastIndexOf(',')], slotNames));
        var gains = csv.Skip(1).Select(line => double.Parse(line[(line.LastIndexOf(',') + 1)..], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(gains.OrderByDescending(g => g), gains);
        Assert.StartsWith("<svg", await ReadArtifact(cairn, artifactRoot, FeatureImportance.SvgFile));

        using var loaded = await cairn.LoadModelAsync(trained.Logged!.ModelUri);
        Assert.Equal(["Hour", "Distance", "Origin", "Late"], loaded.Signature.Inputs.Select(c => c.Name));
        var row = new Dictionary<string, object?> { ["Hour"] = 17f, ["Distance"] = 700f, ["Origin"] = "ATL", ["Late"] = false };
        var expected = _ml.Model.CreatePredictionEngine<DelayedFlight, RegressionScore>(trained.Model)
            .Predict(new DelayedFlight { Hour = 17, Distance = 700, Origin = "ATL" }).Score;
        Assert.Equal(expected, (float)loaded.Predict([row])[0]["Score"]!, 1e-4f);
        Assert.Equal(3, ModelRows.FromSplitJson(await ReadArtifact(cairn, artifactRoot, "model/input_example.json")).Count);
    }

    public sealed class RegressionScore
    {
        public float Score { get; set; }
    }

    [Fact]
    public async Task EvaluateAndLog_Regression_LogsWhatMLNetEvaluates()
    {
        using var cairn = Open();
        var model = Featurizer().Append(_ml.Regression.Trainers.FastTree(RegressionOptions)).Fit(_train);
        string runId;
        IReadOnlyDictionary<string, double> logged;
        using (var run = cairn.StartRun("autolog"))
        {
            logged = run.EvaluateAndLog(_ml, model, _validation, "Delay", prefix: "test_");
            runId = run.RunId;
        }

        var expected = _ml.Regression.Evaluate(model.Transform(_validation), "Delay");
        var metrics = (await cairn.Tracking.GetRunAsync(runId)).Data.Metrics.ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal(["test_loss_function", "test_mean_absolute_error", "test_mean_squared_error", "test_r_squared", "test_root_mean_squared_error"],
            metrics.Keys.Order());
        Assert.Equal(expected.RootMeanSquaredError, metrics["test_root_mean_squared_error"], 1e-9);
        Assert.Equal(expected.MeanAbsoluteError, metrics["test_mean_absolute_error"], 1e-9);
        Assert.Equal(expected.RSquared, metrics["test_r_squared"], 1e-9);
        Assert.Equal(metrics.OrderBy(kv => kv.Key), logged.OrderBy(kv => kv.Key));
    }

    [Fact]
    public async Task EvaluateAndLog_Binary_LogsWhatMLNetEvaluates()
    {
        using var cairn = Open();
        var model = Featurizer().Append(_ml.BinaryClassification.Trainers.FastTree("Late", numberOfTrees: 20)).Fit(_train);
        string runId;
        using (var run = cairn.StartRun("autolog"))
        {
            run.EvaluateAndLog(_ml, model, _validation, "Late", prefix: "test_");
            runId = run.RunId;
        }

        var expected = _ml.BinaryClassification.Evaluate(model.Transform(_validation), "Late");
        var metrics = (await cairn.Tracking.GetRunAsync(runId)).Data.Metrics.ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal(expected.AreaUnderRocCurve, metrics["test_area_under_roc_curve"], 1e-9);
        Assert.Equal(expected.Accuracy, metrics["test_accuracy"], 1e-9);
        Assert.Equal(expected.LogLoss, metrics["test_log_loss"], 1e-9);
        Assert.Equal(expected.F1Score, metrics["test_f1_score"], 1e-9);
        Assert.Equal(expected.PositiveRecall, metrics["test_positive_recall"], 1e-9);
    }

    [Fact]
    public async Task TrainAndLogThenEvaluateAndLog_Multiclass_LogsParamsWithoutACurveAndMLNetsMetrics()
    {
        using var cairn = Open();
        var pipeline = _ml.Transforms.Conversion.MapValueToKey("Label", "Origin")
            .Append(_ml.Transforms.Concatenate("Features", "Hour", "Distance"))
            .Append(_ml.Transforms.NormalizeMinMax("Features"))
            .Append(_ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 5));
        string runId;
        ITransformer model;
        using (var run = cairn.StartRun("autolog"))
        {
            model = run.TrainAndLog(_ml, pipeline, _train, _validation, new AutologOptions { LogModel = false }).Model;
            run.EvaluateAndLog(_ml, model, _validation, "Label", prefix: "test_");
            runId = run.RunId;
        }

        var data = (await cairn.Tracking.GetRunAsync(runId)).Data;
        var expected = _ml.MulticlassClassification.Evaluate(model.Transform(_validation), "Label");
        var metrics = data.Metrics.ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal("SdcaMaximumEntropyMulticlassTrainer", data.Params.Single(p => p.Key == "trainer").Value);
        Assert.Equal("5", data.Params.Single(p => p.Key == "trainer.MaximumNumberOfIterations").Value);
        Assert.Equal(expected.MacroAccuracy, metrics["test_macro_accuracy"], 1e-9);
        Assert.Equal(expected.MicroAccuracy, metrics["test_micro_accuracy"], 1e-9);
        Assert.Equal(expected.LogLoss, metrics["test_log_loss"], 1e-9);
        Assert.Equal(expected.PerClassLogLoss[1], metrics["test_log_loss_class_1"], 1e-9);
        Assert.DoesNotContain(metrics.Keys, k => k.StartsWith("train_") || k.StartsWith("validation_"));
    }

    [Fact]
    public async Task AutoLogScope_EachTrainingIsARunAndEvaluationGoesToTheLastOne()
    {
        using var cairn = Open();
        string first, second;
        using (var autolog = cairn.AutoLog(_ml, "scoped", new AutologOptions { LogModel = false }))
        {
            Assert.Throws<CairnException>(() => autolog.EvaluateAndLog(Featurizer().Fit(_train), _validation, "Delay"));
            autolog.TrainAndLog(Featurizer().Append(_ml.Regression.Trainers.FastTree(RegressionOptions)), _train);
            first = autolog.Run!.RunId;
            var model = autolog.TrainAndLog(Featurizer().Append(_ml.Regression.Trainers.LightGbm("Delay", numberOfIterations: 10)), _train, _validation).Model;
            second = autolog.Run!.RunId;
            autolog.EvaluateAndLog(model, _validation, "Delay");
        }

        var a = await cairn.Tracking.GetRunAsync(first);
        var b = await cairn.Tracking.GetRunAsync(second);
        Assert.NotEqual(first, second);
        Assert.Equal(Tracking.RunStatus.Finished, a.Info.Status);
        Assert.Equal(Tracking.RunStatus.Finished, b.Info.Status);
        Assert.Equal("FastTreeRegressionTrainer", a.Data.Params.Single(p => p.Key == "trainer").Value);
        Assert.Equal("LightGbmRegressionTrainer", b.Data.Params.Single(p => p.Key == "trainer").Value);
        Assert.DoesNotContain(a.Data.Metrics, m => m.Key.StartsWith("test_"));
        Assert.Contains(b.Data.Metrics, m => m.Key == "test_root_mean_squared_error");
        // LightGbm's trees walk as FastTree's do: the curve ends at the model's own validation RMSE.
        var lastValidationRmse = b.Data.Metrics.Single(m => m.Key == "validation_rmse").Value;
        Assert.Equal(b.Data.Metrics.Single(m => m.Key == "test_root_mean_squared_error").Value, lastValidationRmse, 1e-4);
    }

    [Fact]
    public void TrainAndLog_PipelineWithoutATrainer_ThrowsACairnExceptionBeforeFitting()
    {
        using var cairn = Open();
        using var run = cairn.StartRun("autolog");

        var error = Assert.Throws<CairnException>(() => run.TrainAndLog(_ml, Featurizer(), _train));
        Assert.Contains("no trainer", error.Message);
        Assert.Contains("ColumnConcatenatingEstimator", error.Message);
        var evaluating = Assert.Throws<CairnException>(() => run.EvaluateAndLog(_ml, Featurizer().Fit(_train), _validation, "Delay"));
        Assert.Contains("no binary, multiclass or regression predictor", evaluating.Message);
        Assert.Throws<CairnException>(() => run.EvaluateAndLog(_ml,
            Featurizer().Append(_ml.Regression.Trainers.FastTree(RegressionOptions)).Fit(_train), _validation, "NoSuchLabel"));
    }

    [Fact]
    public void FeatureImportance_EscapesNamesInTheChartAndQuotesThemInTheCsv()
    {
        var ranking = new List<(string, double)> { ("<script>&\"x\"", 2.0), ("Origin,ATL", 1.0) };

        var svg = FeatureImportance.ToSvg(ranking, top: 10);
        var csv = FeatureImportance.ToCsv(ranking);

        Assert.DoesNotContain("<script>", svg);
        Assert.Contains("&lt;script&gt;&amp;&quot;x&quot;", svg);
        Assert.Equal("feature,gain\n\"<script>&\"\"x\"\"\",2\n\"Origin,ATL\",1\n", csv);
        Assert.NotNull(System.Xml.Linq.XDocument.Parse(svg).Root);
    }
}
