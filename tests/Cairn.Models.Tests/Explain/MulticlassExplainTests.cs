using Cairn.Models.Explain;
using Cairn.Testing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cairn.Models.Tests.Explain;

/// <summary>
/// Multiclass models have one score per class: the class explained is chosen with
/// <see cref="ExplainOptions.Target"/>, and the attributions add up to that class's score.
/// </summary>
public class MulticlassExplainTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private sealed class DistanceBand
    {
        public float Hour { get; set; }
        public float DayOfWeek { get; set; }
        public float Distance { get; set; }
        public string Origin { get; set; } = "";
        public string Destination { get; set; } = "";
        public string Band { get; set; } = "";
    }

    /// <summary>A three-class model (short, medium or long flight, from the route) trained on the shipped flights.</summary>
    private ModelPackage ThreeClassPackage(string name, Func<MLContext, IEstimator<ITransformer>> trainer)
    {
        var ml = new MLContext(seed: 3);
        var rows = FlightsModel.Instance.Rows.Take(3000).Select(f => new DistanceBand
        {
            Hour = f.Hour, DayOfWeek = f.DayOfWeek, Distance = f.Distance, Origin = f.Origin, Destination = f.Destination,
            Band = f.Distance < 500 ? "short" : f.Distance < 1200 ? "medium" : "long",
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        // The label is keyed outside the model, so that scoring needs only the flight's inputs.
        var labelled = ml.Transforms.Conversion.MapValueToKey("Label", "Band").Fit(data).Transform(data);
        var model = ml.Transforms.Categorical.OneHotEncoding([new("OriginCode", "Origin"), new("DestinationCode", "Destination")])
            .Append(ml.Transforms.Concatenate("Features", "Hour", "DayOfWeek", "OriginCode", "DestinationCode"))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(trainer(ml))
            .Fit(labelled);
        var folder = _folder.File(name);
        Directory.CreateDirectory(folder);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(data.Schema.Where(c => c.Name != "Band"));
        var schema = builder.ToSchema();
        ml.Model.Save(model, schema, Path.Combine(folder, "model.zip"));
        var manifest = ModelManifest.Create("model", null, MlnetPredictor.InferSignature(model, schema));
        manifest.AddFlavor(ModelManifest.MlnetFlavor, new Dictionary<string, string> { ["model_path"] = "model.zip" });
        return ModelPackage.Seal(folder, manifest);
    }

    private static IEstimator<ITransformer> MaximumEntropy(MLContext ml) => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 10);

    private static List<IReadOnlyDictionary<string, object?>> Rows(int skip, int count) =>
        [.. FlightsModel.Instance.Rows.Skip(skip).Take(count).Select(FlightsModel.Instance.AsRow)];

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void TheChosenClassScore_IsExplained_AndTheValuesAddUpToIt(int target)
    {
        var package = ThreeClassPackage("maxent", MaximumEntropy);
        var rows = Rows(4000, 5);
        using var explainer = ModelExplainers.Create(package, Rows(0, 30), new ExplainOptions { Target = target, Samples = 64 });
        using var predictor = ModelLoading.Load(package);
        var scores = predictor.Predict(rows).Select(r => ((float[])r["Score"]!)[target]).ToList();

        var explanation = explainer.Explain(rows);

        Assert.Equal($"Score[{target}]", explanation.OutputName);
        for (var r = 0; r < rows.Count; r++)
        {
            Assert.Equal(scores[r], explanation.Outputs[r], 5);
            Assert.Equal(scores[r], explanation.BaseValue + explanation.Values[r].Sum(), 5);
        }
    }

    [Fact]
    public void LightGbmMulticlass_OneEnsemblePerClassJoinedBySoftmax_IsExplainedByKernelShap_OrRefusedWhenTreeShapIsAskedFor()
    {
        var package = ThreeClassPackage("lgbm", ml => ml.MulticlassClassification.Trainers.LightGbm(numberOfIterations: 10));
        var rows = Rows(4000, 3);
        using var predictor = ModelLoading.Load(package);
        var scores = predictor.Predict(rows).Select(r => ((float[])r["Score"]!)[1]).ToList();

        using var explainer = ModelExplainers.Create(package, Rows(0, 30), new ExplainOptions { Target = 1, Samples = 64 });
        var explanation = explainer.Explain(rows);

        Assert.Equal(ExplainMethods.Kernel, explainer.Method);
        for (var r = 0; r < rows.Count; r++) Assert.Equal(scores[r], explanation.BaseValue + explanation.Values[r].Sum(), 5);
        var refused = Assert.Throws<CairnException>(() => ModelExplainers.Create(package, Rows(0, 30), new ExplainOptions { Target = 1, Method = ExplainMethods.TreeInterventional }));
        Assert.Contains("3 tree ensembles", refused.Message);
    }

    [Fact]
    public void TwoClasses_GetDifferentAttributions_ForTheSameRow()
    {
        var package = ThreeClassPackage("maxent", MaximumEntropy);
        using var first = ModelExplainers.Create(package, Rows(0, 30), new ExplainOptions { Target = 0, Samples = 64 });
        using var last = ModelExplainers.Create(package, Rows(0, 30), new ExplainOptions { Target = 2, Samples = 64 });

        Assert.NotEqual(first.Explain(Rows(4000, 1)).Values[0], last.Explain(Rows(4000, 1)).Values[0]);
    }

    [Fact]
    public void AMulticlassModel_WithoutATarget_OrWithOneThatDoesNotExist_IsRefusedClearly()
    {
        var package = ThreeClassPackage("maxent", MaximumEntropy);

        var none = Assert.Throws<CairnException>(() => ModelExplainers.Create(package, Rows(0, 30), new ExplainOptions()));
        Assert.Contains("'Score' has 3 values per row", none.Message);
        Assert.Contains("--target 0 to 2", none.Message);
        using var explainer = ModelExplainers.Create(package, Rows(0, 30), new ExplainOptions { Target = 7, Samples = 64 });
        var missing = Assert.Throws<CairnException>(() => explainer.Explain(Rows(4000, 1)));
        Assert.Contains("target 7 does not exist", missing.Message);
    }

    [Fact]
    public void ATargetOnASingleOutputModel_OtherThanZero_IsRefused()
    {
        var flights = FlightsModel.Instance;
        var folder = _folder.File("binary");
        Directory.CreateDirectory(folder);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(flights.InputSchema.Where(c => c.Name != "Late"));
        var schema = builder.ToSchema();
        flights.Ml.Model.Save(flights.Model, schema, Path.Combine(folder, "model.zip"));
        var manifest = ModelManifest.Create("model", null, MlnetPredictor.InferSignature(flights.Model, schema));
        manifest.AddFlavor(ModelManifest.MlnetFlavor, new Dictionary<string, string> { ["model_path"] = "model.zip" });
        var package = ModelPackage.Seal(folder, manifest);

        var error = Assert.Throws<CairnException>(() => ModelExplainers.Create(package, Rows(0, 30), new ExplainOptions { Method = ExplainMethods.Kernel, Target = 1 }));
        Assert.Contains("one value per row", error.Message);
    }
}
