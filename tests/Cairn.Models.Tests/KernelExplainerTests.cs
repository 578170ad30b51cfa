using Cairn.Models.Explain;
using Cairn.Testing;
using Microsoft.ML;

namespace Cairn.Models.Tests;

/// <summary>KernelSHAP against exact Shapley values computed by brute force with the same value function.</summary>
public class KernelExplainerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly ColumnSpec[] MixedInputs = [new("a", "double"), new("b", "double"), new("city", "string"), new("d", "float")];

    /// <summary>Interactions, a max and a string input: nothing a linear fit could explain exactly by accident.</summary>
    private static double Mixed(IReadOnlyDictionary<string, object?> r)
    {
        var (a, b, d) = ((double)r["a"]!, (double)r["b"]!, (double)(float)r["d"]!);
        var city = (string)r["city"]!;
        return a * b + (city == "oslo" ? 2 : city == "rome" ? -1 : 0.5) * d + Math.Max(a, d);
    }

    private static List<IReadOnlyDictionary<string, object?>> MixedRows(int count, int seed)
    {
        var random = new Random(seed);
        string[] cities = ["oslo", "rome", "lima"];
        return Enumerable.Range(0, count).Select(_ => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["a"] = random.NextDouble() * 4 - 2, ["b"] = random.NextDouble() * 4 - 2,
            ["city"] = cities[random.Next(3)], ["d"] = (float)(random.NextDouble() * 4 - 2),
        }).ToList();
    }

    private static void AssertMatchesExact(IModelPredictor predictor, Explanation explanation, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows,
        IReadOnlyList<IReadOnlyDictionary<string, object?>> background, double tolerance)
    {
        for (var r = 0; r < rows.Count; r++)
        {
            var (baseValue, exact) = PredictorShapley.Of(predictor, explanation.OutputName, explanation.Features, rows[r], background);
            Assert.Equal(baseValue, explanation.BaseValue, tolerance);
            for (var j = 0; j < exact.Length; j++) Assert.Equal(exact[j], explanation.Values[r][j], tolerance);
            Assert.Equal(explanation.Outputs[r], explanation.BaseValue + explanation.Values[r].Sum(), 1e-6);
        }
    }

    [Fact]
    public void Exact_enumeration_equals_brute_force_Shapley_values_with_a_string_input()
    {
        var predictor = new FunctionPredictor(MixedInputs, Mixed);
        var background = MixedRows(15, seed: 1);
        var rows = MixedRows(4, seed: 2);
        using var explainer = new KernelExplainer(predictor, background, new ExplainOptions { Samples = 14 });

        var explanation = explainer.Explain(rows);

        Assert.Equal(["a", "b", "city", "d"], explanation.Features);
        Assert.Equal("y", explanation.OutputName);
        Assert.Equal(ExplainLinks.Identity, explanation.Link);
        Assert.Equal(14, explanation.Samples);
        Assert.Equal(15, explanation.BackgroundRows);
        AssertMatchesExact(predictor, explanation, rows, background, 1e-7);
        Assert.All(explanation.StandardErrors!, e => Assert.All(e, v => Assert.Equal(0, v)));
    }

    [Fact]
    public void A_model_with_one_input_gives_it_the_whole_difference_from_the_base_value()
    {
        var predictor = new FunctionPredictor([new ColumnSpec("a", "double")], r => 3 * (double)r["a"]!);
        var background = MixedRows(5, seed: 3).Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["a"] = r["a"] }).ToList();
        using var explainer = new KernelExplainer(predictor, background, new ExplainOptions());

        var explanation = explainer.Explain([new Dictionary<string, object?> { ["a"] = 2.0 }]);

        Assert.Equal(6 - explanation.BaseValue, explanation.Values[0][0], 1e-9);
        Assert.Equal(background.Average(r => 3 * (double)r["a"]!), explanation.BaseValue, 1e-9);
    }

    [Fact]
    public void Exact_enumeration_matches_brute_force_on_an_mlnet_fasttree_regression()
    {
        using var predictor = GeneratedRegression.Train(_folder.Path);
        var background = GeneratedRegression.Rows(12, seed: 7).Select(GeneratedRegression.AsRow).ToList();
        var rows = GeneratedRegression.Rows(3, seed: 8).Select(GeneratedRegression.AsRow).ToList();
        using var explainer = new KernelExplainer(predictor, background, new ExplainOptions { Samples = 62 });

        var explanation = explainer.Explain(rows);

        Assert.Equal("Score", explanation.OutputName);
        Assert.Equal(62, explanation.Samples);
        AssertMatchesExact(predictor, explanation, rows, background, 1e-4); // Score is a float
        Assert.True(explanation.Values.Sum(v => Math.Abs(v[1])) > 0, "F1 interacts with F0 and must get attributions");
    }

    [Fact]
    public void Exact_enumeration_matches_brute_force_on_the_flights_classifier_score()
    {
        var flights = FlightsModel.Instance;
        var zip = _folder.File("flights.zip");
        flights.Ml.Model.Save(flights.Model, flights.InputSchema, zip);
        var signature = new ModelSignature(
            [new("Hour", "float"), new("DayOfWeek", "float"), new("Distance", "float"), new("Origin", "string"), new("Destination", "string")],
            [new("PredictedLabel", "boolean"), new("Score", "float"), new("Probability", "float")]);
        using var predictor = new MlnetPredictor(zip, signature);
        var background = flights.Rows.Take(20).Select(flights.AsRow).ToList();
        var rows = flights.Rows.Skip(100).Take(3).Select(flights.AsRow).ToList();
        using var explainer = new KernelExplainer(predictor, background, new ExplainOptions { Samples = 2048 });

        var explanation = explainer.Explain(rows);

        Assert.Equal("Score", explanation.OutputName);
        Assert.Equal(30, explanation.Samples);
        AssertMatchesExact(predictor, explanation, rows, background, 1e-4);
    }

    private static readonly ColumnSpec[] WideInputs = Enumerable.Range(0, 10).Select(i => new ColumnSpec($"x{i}", "double")).ToArray();

    private static double Wide(IReadOnlyDictionary<string, object?> r)
    {
        double X(int i) => (double)r[$"x{i}"]!;
        return X(0) * X(1) + X(2) * X(3) * X(4) + Math.Max(X(5), X(6)) + Math.Sin(3 * X(7)) * X(8) + X(9);
    }

    private static List<IReadOnlyDictionary<string, object?>> WideRows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (IReadOnlyDictionary<string, object?>)Enumerable.Range(0, 10)
            .ToDictionary(i => $"x{i}", _ => (object?)(random.NextDouble() * 4 - 2))).ToList();
    }

    [Fact]
    public void Sampled_values_approach_the_exact_ones_as_samples_grow_within_the_stated_error()
    {
        var predictor = new FunctionPredictor(WideInputs, Wide);
        var background = WideRows(10, seed: 3);
        var rows = WideRows(5, seed: 4);
        var exact = rows.Select(r => PredictorShapley.Of(predictor, "y", WideInputs.Select(i => i.Name).ToList(), r, background).Values).ToList();

        (double Error, double StatedError) Run(int samples)
        {
            using var explainer = new KernelExplainer(predictor, background, new ExplainOptions { Samples = samples, Seed = 11 });
            var e = explainer.Explain(rows);
            Assert.Equal(samples, e.Samples);
            for (var r = 0; r < rows.Count; r++) Assert.Equal(e.Outputs[r], e.BaseValue + e.Values[r].Sum(), 1e-9);
            var squared = e.Values.SelectMany((v, r) => v.Select((x, j) => (x - exact[r][j]) * (x - exact[r][j]))).Average();
            var stated = e.StandardErrors!.SelectMany(s => s.Select(x => x * x)).Average();
            return (Math.Sqrt(squared), Math.Sqrt(stated));
        }

        var small = Run(100);
        var large = Run(1000);

        Assert.True(large.Error < small.Error / 2, $"error with 1000 samples {large.Error} vs 100 samples {small.Error}");
        Assert.True(small.StatedError > large.StatedError, $"stated error {small.StatedError} then {large.StatedError}");
        Assert.True(small.Error < 4 * small.StatedError, $"error {small.Error}, stated {small.StatedError}");
        Assert.True(large.Error < 4 * large.StatedError, $"error {large.Error}, stated {large.StatedError}");
        Assert.True(small.Error > small.StatedError / 4, $"the stated error {small.StatedError} is far above the error {small.Error}");
    }

    [Fact]
    public void The_same_seed_gives_the_same_values_and_another_seed_other_ones()
    {
        var predictor = new FunctionPredictor(WideInputs, Wide);
        var background = WideRows(5, seed: 3);
        var rows = WideRows(2, seed: 4);
        double[] Values(int seed)
        {
            using var explainer = new KernelExplainer(predictor, background, new ExplainOptions { Samples = 200, Seed = seed });
            return explainer.Explain(rows).Values.SelectMany(v => v).ToArray();
        }

        Assert.Equal(Values(1), Values(1));
        Assert.NotEqual(Values(1), Values(2));
    }

    [Fact]
    public void A_row_or_background_without_an_input_is_refused_by_name()
    {
        var predictor = new FunctionPredictor(MixedInputs, Mixed);
        var background = MixedRows(3, seed: 1);
        var partial = new Dictionary<string, object?> { ["a"] = 1.0, ["b"] = 2.0, ["d"] = 1f };

        var noCity = Assert.Throws<CairnException>(() => new KernelExplainer(predictor, [.. background, partial]));
        Assert.Contains("Row 4 of the background lacks the model input city", noCity.Message);
        var empty = Assert.Throws<CairnException>(() => new KernelExplainer(predictor, []));
        Assert.Contains("background is empty", empty.Message);
        using var explainer = new KernelExplainer(predictor, background);
        var row = Assert.Throws<CairnException>(() => explainer.Explain([partial]));
        Assert.Contains("rows to explain lacks the model input city", row.Message);
    }

    [Fact]
    public void A_model_without_a_numeric_output_cannot_be_explained()
    {
        var predictor = new FunctionPredictor(MixedInputs, Mixed);
        var textOnly = new TextOnlyPredictor(predictor);

        var e = Assert.Throws<CairnException>(() => new KernelExplainer(textOnly, MixedRows(2, seed: 1)));
        Assert.Contains("no numeric scalar output", e.Message);
    }

    private sealed class TextOnlyPredictor(IModelPredictor inner) : IModelPredictor
    {
        public string Flavor => inner.Flavor;
        public ModelSignature Signature => new(inner.Signature.Inputs, [new ColumnSpec("PredictedLabel", "string")]);
        public IReadOnlyList<IReadOnlyDictionary<string, object?>> Predict(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows) => inner.Predict(rows);
        public void Dispose() { }
    }

    [Fact]
    public void Permutation_importance_ranks_the_pure_noise_column_last()
    {
        using var predictor = GeneratedRegression.Train(_folder.Path);
        var data = GeneratedRegression.Rows(400, seed: 9);
        var result = PermutationImportance.Compute(predictor, data.Select(GeneratedRegression.AsRow).ToList(), data.Select(r => (double)r.Label).ToList(),
            PermutationImportance.Rmse, repeats: 3, seed: 2);

        Assert.Equal("Score", result.OutputName);
        Assert.Equal("Noise", result.Scores[^1].Feature);
        Assert.True(result.Scores[0].Mean > 10 * Math.Abs(result.Scores[^1].Mean), string.Join(", ", result.Scores));
        Assert.Contains(result.Scores[0].Feature, new[] { "F0", "F1" });
        Assert.True(result.Baseline < result.Scores[0].Mean + result.Baseline);
        Assert.Throws<CairnException>(() => PermutationImportance.Compute(predictor, data.Select(GeneratedRegression.AsRow).ToList(), [1.0], PermutationImportance.Rmse));
        Assert.Throws<CairnException>(() => PermutationImportance.Compute(predictor, data.Select(GeneratedRegression.AsRow).ToList(), data.Select(r => (double)r.Label).ToList(), "auc"));
    }
}
