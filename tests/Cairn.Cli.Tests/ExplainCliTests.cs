using System.Globalization;
using System.Text.Json.Nodes;
using Cairn.Models;
using Microsoft.ML;
using Cairn.Quality.Tables;

namespace Cairn.Cli.Tests;

/// <summary>`cairn explain` and `cairn models explain-global` on a real registered ML.NET model in an embedded store.</summary>
public class ExplainCliTests : CliRunner
{
    private sealed class Point
    {
        public float X { get; set; }
        public float Y { get; set; }
        public string Shape { get; set; } = "";
        public bool Label { get; set; }
    }

    /// <summary>A logistic regression on X, Y and a categorical Shape, logged and registered as points/1.</summary>
    private void RegisterModel()
    {
        var ml = new MLContext(seed: 3);
        var random = new Random(3);
        var points = Enumerable.Range(0, 300).Select(_ =>
        {
            var (x, y, shape) = ((float)random.NextDouble(), (float)random.NextDouble(), random.Next(2) == 0 ? "round" : "square");
            return new Point { X = x, Y = y, Shape = shape, Label = x + y + (shape == "round" ? 0.3 : 0) > 1.1 };
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(points);
        var model = ml.Transforms.Categorical.OneHotEncoding("ShapeCode", "Shape")
            .Append(ml.Transforms.Concatenate("Features", "X", "Y", "ShapeCode"))
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label")).Fit(data);
        using var cairn = CairnClient.Open(Store);
        using var run = cairn.StartRun("points");
        run.LogModel("model", ml, model, data.Schema, points.Take(2).ToList(), labelColumn: "Label", registeredModelName: "points");
    }

    /// <summary>A three-class model (which region of the square a point lies in), logged and registered as regions/1.</summary>
    private void RegisterMulticlassModel()
    {
        var ml = new MLContext(seed: 3);
        var random = new Random(4);
        var points = Enumerable.Range(0, 300).Select(_ =>
        {
            var (x, y) = ((float)random.NextDouble(), (float)random.NextDouble());
            return new Point { X = x, Y = y, Shape = x + y < 0.7 ? "low" : x + y < 1.3 ? "middle" : "high" };
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(points);
        var labelled = ml.Transforms.Conversion.MapValueToKey("Region", "Shape").Fit(data).Transform(data);
        var model = ml.Transforms.Concatenate("Features", "X", "Y")
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Region", maximumNumberOfIterations: 20)).Fit(labelled);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(data.Schema.Where(c => c.Name is "X" or "Y"));
        using var cairn = CairnClient.Open(Store);
        using var run = cairn.StartRun("regions");
        run.LogModel("model", ml, model, builder.ToSchema(), new { X = 0.1f, Y = 0.2f }, registeredModelName: "regions");
    }

    private string Csv(string name, string header, params string[] lines)
    {
        var path = Folder.File(name);
        File.WriteAllLines(path, [header, .. lines]);
        return path;
    }

    private string Background() => Csv("background.csv", "X,Y,Shape",
        "0.1,0.2,round", "0.9,0.4,square", "0.5,0.5,round", "0.3,0.8,square", "0.7,0.1,round", "0.2,0.6,square");

    private string Rows() => Csv("rows.csv", "x,y,shape", "0.95,0.9,round", "0.05,0.1,square", "0.5,0.6,round");

    [Fact]
    public async Task Explain_WritesParquetWhoseValuesAddUpToTheModelsScore_AndPrintsTopFeatures()
    {
        RegisterModel();
        var shap = Folder.File("shap.parquet");

        var explain = await Cairn("explain", "models:/points/1", "--data", Rows(), "--background", Background(), "--out", shap, "--top", "2");

        Assert.True(explain.Exit == 0, explain.Err);
        Assert.Contains("kernel SHAP values of Score (identity link)", explain.Out);
        Assert.Contains("row 3: Score = ", explain.Out);
        Assert.Contains("1 other features:", explain.Out);
        Assert.Matches(@"\n  (X = 0\.95|Y = 0\.9|Shape = round) +[+-]\d", explain.Out);

        await using var reader = await DataSource.FromFile(shap).OpenAsync();
        Assert.Equal(["row", "output", "base_value", "shap_X", "shap_Y", "shap_Shape"], reader.Fields.Select(f => f.Name));
        var values = reader.Fields.ToDictionary(f => f.Name, _ => new List<double>());
        await foreach (var batch in reader.ReadAsync(Enumerable.Range(0, reader.Fields.Count).ToHashSet()))
            for (var f = 0; f < reader.Fields.Count; f++)
                for (var i = 0; i < batch.RowCount; i++)
                    values[reader.Fields[f].Name].Add(batch[f].TryGetNumber(i, out var v) ? v : double.NaN);
        using var cairn = CairnClient.Open(Store);
        using var model = cairn.LoadModel("models:/points/1");
        var scores = model.Predict([
            new Dictionary<string, object?> { ["X"] = 0.95f, ["Y"] = 0.9f, ["Shape"] = "round" },
            new Dictionary<string, object?> { ["X"] = 0.05f, ["Y"] = 0.1f, ["Shape"] = "square" },
            new Dictionary<string, object?> { ["X"] = 0.5f, ["Y"] = 0.6f, ["Shape"] = "round" }]).Select(r => (double)(float)r["Score"]!).ToArray();
        for (var r = 0; r < 3; r++)
        {
            Assert.Equal(scores[r], values["output"][r], 1e-5);
            Assert.Equal(values["output"][r], values["base_value"][r] + values["shap_X"][r] + values["shap_Y"][r] + values["shap_Shape"][r], 1e-6);
        }
        Assert.True(values["shap_X"][0] > 0 && values["shap_X"][1] < 0, "a large X raises the score and a small one lowers it");
    }

    [Fact]
    public async Task Explain_JsonOutputAndCsvFile()
    {
        RegisterModel();
        var csv = Folder.File("shap.csv");

        var explain = await Cairn("explain", "models:/points/1", "--data", Rows(), "--background", Background(), "--out", csv, "-o", "json", "--rows", "2");

        Assert.True(explain.Exit == 0, explain.Err);
        Assert.Contains("Explained the first 2 rows", explain.Err);
        var json = JsonNode.Parse(explain.Out)!;
        Assert.Equal("kernel", json["method"]!.GetValue<string>());
        Assert.Equal(2, json["rows"]!.AsArray().Count);
        var first = json["rows"]![0]!;
        var sum = json["base_value"]!.GetValue<double>() + first["shap"]!.AsObject().Sum(p => p.Value!.GetValue<double>());
        Assert.Equal(first["output"]!.GetValue<double>(), sum, 1e-6);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("row,output,base_value,shap_X,shap_Y,shap_Shape", lines[0]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public async Task ExplainGlobal_StoresTheExplanation_AndTheCardShowsFeatureImportance()
    {
        RegisterModel();

        var global = await Cairn("models", "explain-global", "models:/points/1", "--background", Background(), "--rows", "5");
        var card = await Cairn("models", "card", "models:/points/1");

        Assert.True(global.Exit == 0, global.Err);
        Assert.Contains("Feature importance of Score (kernel, identity link) over 5 rows", global.Out);
        using var cairn = CairnClient.Open(Store);
        var stored = await cairn.ReadGlobalExplanationAsync("models:/points/1");
        Assert.NotNull(stored);
        Assert.Equal(["X", "Y", "Shape"], stored.Features);
        Assert.Equal(5, stored.SampleRows.Count);
        Assert.Equal(stored.Importance.Select(i => i.MeanAbsShap).OrderByDescending(v => v), stored.Importance.Select(i => i.MeanAbsShap));
        Assert.True(stored.Importance.All(i => i.MeanAbsShap > 0));
        Assert.Contains("## Feature importance", card.Out);
        Assert.Contains($"| {stored.Importance[0].Feature} | {stored.Importance[0].MeanAbsShap.ToString("G4", CultureInfo.InvariantCulture)} |", card.Out);
    }

    [Fact]
    public async Task Explain_OfAMulticlassModel_ExplainsTheClassGivenByTarget_AndAsksForOneWithout()
    {
        RegisterMulticlassModel();
        var background = Csv("background.csv", "X,Y", "0.1,0.2", "0.9,0.4", "0.5,0.5", "0.3,0.8", "0.7,0.1", "0.2,0.6");
        var rows = Csv("rows.csv", "X,Y", "0.95,0.9", "0.05,0.1");

        var explain = await Cairn("explain", "models:/regions/1", "--data", rows, "--background", background, "--target", "2", "-o", "json");
        var noTarget = await Cairn("explain", "models:/regions/1", "--data", rows, "--background", background);
        var negative = await Cairn("explain", "models:/regions/1", "--data", rows, "--background", background, "--target", "-1");

        Assert.True(explain.Exit == 0, explain.Err);
        var json = JsonNode.Parse(explain.Out)!;
        Assert.Equal("Score[2]", json["output_name"]!.GetValue<string>());
        using var cairn = CairnClient.Open(Store);
        using var model = cairn.LoadModel("models:/regions/1");
        var scores = model.Predict([new Dictionary<string, object?> { ["X"] = 0.95f, ["Y"] = 0.9f }, new Dictionary<string, object?> { ["X"] = 0.05f, ["Y"] = 0.1f }])
            .Select(r => (double)((float[])r["Score"]!)[2]).ToArray();
        for (var r = 0; r < 2; r++)
        {
            var row = json["rows"]![r]!;
            Assert.Equal(scores[r], row["output"]!.GetValue<double>(), 1e-5);
            Assert.Equal(scores[r], json["base_value"]!.GetValue<double>() + row["shap"]!.AsObject().Sum(p => p.Value!.GetValue<double>()), 1e-5);
        }
        Assert.NotEqual(0, noTarget.Exit);
        Assert.Contains("'Score' has 3 values per row", noTarget.Err);
        Assert.Contains("--target 0 to 2", noTarget.Err);
        Assert.NotEqual(0, negative.Exit);
        Assert.Contains("--target must be 0 or more", negative.Err);
    }

    [Fact]
    public async Task BadInput_ClearErrorsAndNonZeroExits()
    {
        RegisterModel();
        var rows = Rows();
        var background = Background();

        var missingFile = await Cairn("explain", "models:/points/1", "--data", Folder.File("nope.csv"), "--background", background);
        var wrongColumns = await Cairn("explain", "models:/points/1", "--data", Csv("wrong.csv", "X,Z", "1,2"), "--background", background);
        var unknownMethod = await Cairn("explain", "models:/points/1", "--data", rows, "--background", background, "--method", "lime");
        var treeOnLinear = await Cairn("explain", "models:/points/1", "--data", rows, "--background", background, "--method", "tree_path_dependent");
        var tooManyRows = await Cairn("explain", "models:/points/1", "--data", rows, "--background", background, "--rows", "20000");
        var noBackground = await Cairn("explain", "models:/points/1", "--data", rows);
        var badOut = await Cairn("explain", "models:/points/1", "--data", rows, "--background", background, "--out", Folder.File("shap.txt"));
        var emptyBackground = await Cairn("explain", "models:/points/1", "--data", rows, "--background", Csv("empty.csv", "X,Y,Shape"));
        var unknownModel = await Cairn("models", "explain-global", "models:/nothing/1", "--background", background);

        foreach (var result in new[] { missingFile, wrongColumns, unknownMethod, treeOnLinear, tooManyRows, noBackground, badOut, emptyBackground, unknownModel })
        {
            Assert.NotEqual(0, result.Exit);
            Assert.StartsWith("error: ", result.Err);
            Assert.DoesNotContain("   at ", result.Err);
        }
        Assert.Contains("nope.csv' does not exist", missingFile.Err);
        Assert.Contains("no column for the model input 'Y'", wrongColumns.Err);
        Assert.Contains("Unknown explanation method 'lime'", unknownMethod.Err);
        Assert.Contains("needs a tree ensemble model", treeOnLinear.Err);
        Assert.Contains("between 1 and 10000", tooManyRows.Err);
        Assert.Contains("no recorded training data", noBackground.Err);
        Assert.Contains("--background", noBackground.Err);
        Assert.Contains(".parquet, .csv or .json", badOut.Err);
        Assert.Contains("has no rows", emptyBackground.Err);
    }
}
