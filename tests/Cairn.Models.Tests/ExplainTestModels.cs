using Cairn.Models.Explain;
using Microsoft.ML;

namespace Cairn.Models.Tests;

/// <summary>A predictor computing a C# function of named inputs, so explanation tests can afford exact Shapley values by brute force.</summary>
public sealed class FunctionPredictor(IReadOnlyList<ColumnSpec> inputs, Func<IReadOnlyDictionary<string, object?>, double> function) : IModelPredictor
{
    public string Flavor => "test";
    public ModelSignature Signature { get; } = new(inputs, [new ColumnSpec("PredictedLabel", "string"), new ColumnSpec("y", "double")]);
    public int RowsScored { get; private set; }

    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Predict(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        RowsScored += rows.Count;
        return rows.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["PredictedLabel"] = "n/a", ["y"] = function(r) }).ToList();
    }

    public void Dispose() { }
}

/// <summary>Exact Shapley values by enumerating every coalition with the interventional value function, independently of KernelSHAP's code.</summary>
public static class PredictorShapley
{
    public static (double BaseValue, double[] Values) Of(IModelPredictor predictor, string output, IReadOnlyList<string> features,
        IReadOnlyDictionary<string, object?> row, IReadOnlyList<IReadOnlyDictionary<string, object?>> background)
    {
        var m = features.Count;
        var value = new double[1 << m];
        for (var mask = 0; mask < 1 << m; mask++)
        {
            var hybrids = background.Select(b => (IReadOnlyDictionary<string, object?>)features
                .Select((f, j) => (f, v: (mask & (1 << j)) != 0 ? row[f] : b[f])).ToDictionary(p => p.f, p => p.v)).ToList();
            value[mask] = predictor.Predict(hybrids).Average(r => Convert.ToDouble(r[output]));
        }
        var factorial = new double[m + 1];
        factorial[0] = 1;
        for (var i = 1; i <= m; i++) factorial[i] = factorial[i - 1] * i;
        var shap = new double[m];
        for (var j = 0; j < m; j++)
            for (var mask = 0; mask < 1 << m; mask++)
            {
                if ((mask & (1 << j)) != 0) continue;
                var s = System.Numerics.BitOperations.PopCount((uint)mask);
                shap[j] += factorial[s] * factorial[m - s - 1] / factorial[m] * (value[mask | (1 << j)] - value[mask]);
            }
        return (value[0], shap);
    }
}

public sealed class GeneratedRow
{
    public float F0 { get; set; }
    public float F1 { get; set; }
    public float F2 { get; set; }
    public float F3 { get; set; }
    public float F4 { get; set; }
    public float Noise { get; set; }
    public float Label { get; set; }
}

/// <summary>An ML.NET FastTree regression on generated data with interactions, and a column that is pure noise.</summary>
public static class GeneratedRegression
{
    public static readonly string[] Inputs = ["F0", "F1", "F2", "F3", "F4", "Noise"];

    public static List<GeneratedRow> Rows(int count, int seed)
    {
        var random = new Random(seed);
        float U() => (float)(random.NextDouble() * 4 - 2);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var r = new GeneratedRow { F0 = U(), F1 = U(), F2 = U(), F3 = U(), F4 = U(), Noise = U() };
            r.Label = 3 * r.F0 * r.F1 + 2 * MathF.Sin(r.F2) + r.F3 + 0.5f * r.F4 * r.F4;
            return r;
        }).ToList();
    }

    public static IReadOnlyDictionary<string, object?> AsRow(GeneratedRow r) => new Dictionary<string, object?>
    {
        ["F0"] = r.F0, ["F1"] = r.F1, ["F2"] = r.F2, ["F3"] = r.F3, ["F4"] = r.F4, ["Noise"] = r.Noise,
    };

    /// <summary>Trains, saves and loads the model as the mlnet flavor loads it.</summary>
    public static MlnetPredictor Train(string folder)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows(2000, seed: 5));
        var model = ml.Transforms.Concatenate("Features", Inputs)
            .Append(ml.Regression.Trainers.FastTree(labelColumnName: "Label", numberOfLeaves: 8, numberOfTrees: 30))
            .Fit(data);
        var zip = Path.Combine(folder, "model.zip");
        ml.Model.Save(model, data.Schema, zip);
        return new MlnetPredictor(zip, new ModelSignature(Inputs.Select(i => new ColumnSpec(i, "float")).ToList(), [new ColumnSpec("Score", "float")]));
    }
}
