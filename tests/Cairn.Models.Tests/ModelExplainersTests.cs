using Cairn.Models.Explain;
using Cairn.Testing;
using Microsoft.ML;

namespace Cairn.Models.Tests;

/// <summary>ModelExplainers.Create on logged packages: validation, the method chosen and seeded background subsampling.</summary>
public class ModelExplainersTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A linear (SDCA) regression on the generated rows, logged and downloaded as a package folder.</summary>
    private async Task<ModelPackage> LinearPackage()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(GeneratedRegression.Rows(500, seed: 5));
        var model = ml.Transforms.Concatenate("Features", GeneratedRegression.Inputs)
            .Append(ml.Regression.Trainers.Sdca(labelColumnName: "Label", maximumNumberOfIterations: 20)).Fit(data);
        using var cairn = CairnClient.Open(_folder.File("store"));
        using var run = cairn.StartRun("generated");
        var logged = run.LogModel("model", ml, model, data.Schema, labelColumn: "Label");
        var registry = new ModelRegistry(cairn);
        var (_, path) = await registry.ResolveAsync(logged.ModelUri);
        await registry.DownloadPackageAsync(path, _folder.File("pkg"));
        return ModelPackage.Open(_folder.File("pkg"));
    }

    private static List<IReadOnlyDictionary<string, object?>> Rows(int count, int seed) =>
        GeneratedRegression.Rows(count, seed).Select(GeneratedRegression.AsRow).ToList();

    [Fact]
    public async Task A_linear_model_gets_KernelSHAP_whose_values_are_the_coefficients_times_the_deviation_from_the_background_mean()
    {
        var package = await LinearPackage();
        var background = Rows(30, seed: 1);
        var rows = Rows(2, seed: 2);

        using var explainer = ModelExplainers.Create(package, background, new ExplainOptions { Seed = 3 });
        var explanation = explainer.Explain(rows);

        Assert.Equal(ExplainMethods.Kernel, explainer.Method);
        Assert.Equal(GeneratedRegression.Inputs, explanation.Features);
        Assert.Equal("Score", explanation.OutputName);
        // For a linear model, phi_j = w_j (x_j - mean_b x_j); w_j is recovered from moving feature j alone.
        using var predictor = ModelLoading.Load(package);
        for (var j = 0; j < GeneratedRegression.Inputs.Length; j++)
        {
            var name = GeneratedRegression.Inputs[j];
            var moved = new Dictionary<string, object?>(rows[0]) { [name] = (float)rows[0][name]! + 1 };
            var weight = (double)(float)predictor.Predict([moved])[0]["Score"]! - (double)(float)predictor.Predict([rows[0]])[0]["Score"]!;
            var deviation = (float)rows[0][name]! - background.Average(b => (double)(float)b[name]!);
            Assert.Equal(weight * deviation, explanation.Values[0][j], 1e-3);
        }
    }

    [Fact]
    public async Task Invalid_backgrounds_and_methods_are_refused_with_clear_messages()
    {
        var package = await LinearPackage();
        var background = Rows(5, seed: 1);
        var withoutNoise = background.Select(r => (IReadOnlyDictionary<string, object?>)r.Where(p => p.Key != "Noise").ToDictionary(p => p.Key, p => p.Value)).ToList();

        var empty = Assert.Throws<CairnException>(() => ModelExplainers.Create(package, []));
        var lacking = Assert.Throws<CairnException>(() => ModelExplainers.Create(package, withoutNoise));
        var unknown = Assert.Throws<CairnException>(() => ModelExplainers.Create(package, background, new ExplainOptions { Method = "lime" }));
        var tree = Assert.Throws<CairnException>(() => ModelExplainers.Create(package, background, new ExplainOptions { Method = ExplainMethods.TreeInterventional }));

        Assert.Contains("background is empty", empty.Message);
        Assert.Contains("Row 1 of the background lacks the model input Noise", lacking.Message);
        Assert.Contains("Unknown explanation method 'lime'", unknown.Message);
        Assert.Contains("tree_interventional, tree_path_dependent, kernel", unknown.Message);
        Assert.Contains("needs a tree ensemble model", tree.Message);
    }

    [Fact]
    public async Task A_large_background_is_subsampled_by_seed()
    {
        var package = await LinearPackage();
        var background = Rows(200, seed: 1);
        var row = Rows(1, seed: 2);
        double BaseValue(int seed)
        {
            using var explainer = ModelExplainers.Create(package, background, new ExplainOptions { Method = ExplainMethods.Kernel, MaxBackgroundRows = 10, Seed = seed });
            var e = explainer.Explain(row);
            Assert.Equal(10, e.BackgroundRows);
            return e.BaseValue;
        }

        Assert.Equal(BaseValue(4), BaseValue(4));
        Assert.NotEqual(BaseValue(4), BaseValue(5));
        var sample = ModelExplainers.SampleBackground(background, 10, seed: 4);
        Assert.Equal(10, sample.Distinct().Count());
        Assert.All(sample, r => Assert.Contains(r, background));
        Assert.Same(background, ModelExplainers.SampleBackground(background, 500, seed: 4));
    }
}
