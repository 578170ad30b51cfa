using System.Text.Json.Nodes;
using Cairn.Models;
using Cairn.Testing;
using Cairn.Tracking;
using Microsoft.ML;

namespace Cairn.Cli.Tests;

/// <summary>The `cairn models` commands on a real embedded store with small real ML.NET models.</summary>
public class ModelsCliTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private sealed class Point
    {
        public float X { get; set; }
        public float Y { get; set; }
        public bool Label { get; set; }
    }

    private async Task<(int Exit, string Out, string Err)> Cairn(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["--tracking-uri", _folder.File("store"), .. args], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Trains a logistic regression on a separable synthetic set and logs it; returns the package URI.</summary>
    private string LogModel(double auc)
    {
        var ml = new MLContext(seed: 3);
        var random = new Random(3);
        var points = Enumerable.Range(0, 300).Select(_ => { var x = (float)random.NextDouble(); var y = (float)random.NextDouble(); return new Point { X = x, Y = y, Label = x + y > 1 }; }).ToList();
        var data = ml.Data.LoadFromEnumerable(points);
        var model = ml.Transforms.Concatenate("Features", "X", "Y").Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label")).Fit(data);
        using var cairn = CairnClient.Open(_folder.File("store"));
        using var run = cairn.StartRun("points");
        run.LogMetric("auc", auc);
        return run.LogModel("model", ml, model, data.Schema, points.Take(2).ToList(), labelColumn: "Label").ModelUri;
    }

    [Fact]
    public async Task RegisterAliasShowListCard()
    {
        var uri = LogModel(0.9);

        var register = await Cairn("models", "register", uri, "--name", "points", "--description", "Separates points above the diagonal.");
        var alias = await Cairn("models", "alias", "points", "champion", "1");
        var show = await Cairn("models", "show", "models:/points@champion", "-o", "json");
        var list = await Cairn("models", "list");
        var card = await Cairn("models", "card", "models:/points/1");

        Assert.Equal(0, register.Exit);
        Assert.Contains("Registered points version 1", register.Out);
        Assert.Equal(0, alias.Exit);
        Assert.Equal("1", JsonNode.Parse(show.Out)!["model_version"]!["version"]!.GetValue<string>());
        Assert.Contains("champion -> 1", list.Out);
        Assert.Contains("Separates points above the diagonal.", card.Out);
        Assert.Contains("| input | X | float |", card.Out);
    }

    [Fact]
    public async Task Promote_GateFails_ExitsFour_ApproveMovesTheAlias_HistoryShowsIt()
    {
        await Cairn("models", "register", LogModel(0.9), "--name", "points");
        await Cairn("models", "promote", "points", "--version", "1", "--to", "champion", "--require", "metrics.auc >= champion.metrics.auc");
        await Cairn("models", "register", LogModel(0.6), "--name", "points");

        var promote = await Cairn("models", "promote", "points", "--version", "2", "--to", "champion", "--require", "metrics.auc >= champion.metrics.auc - 0.005");
        var stillOne = await Cairn("models", "show", "models:/points@champion", "-o", "json");
        var approve = await Cairn("models", "approve", "points", "--version", "2", "--to", "champion", "--comment", "accepted for latency");
        var nowTwo = await Cairn("models", "show", "models:/points@champion", "-o", "json");
        var history = await Cairn("models", "history", "points", "-o", "json");

        Assert.Equal(4, promote.Exit);
        Assert.Contains("Not promoted", promote.Out);
        Assert.Contains("0.6 >= 0.895, fails", promote.Out);
        Assert.Equal("1", JsonNode.Parse(stillOne.Out)!["model_version"]!["version"]!.GetValue<string>());
        Assert.Equal(0, approve.Exit);
        Assert.Equal("2", JsonNode.Parse(nowTwo.Out)!["model_version"]!["version"]!.GetValue<string>());
        var actions = JsonNode.Parse(history.Out)!["transitions"]!.AsArray().Select(t => t!["action"]!.GetValue<string>()).ToList();
        Assert.Contains("GATE_FAILED", actions);
        Assert.Contains("APPROVED", actions);
    }

    [Fact]
    public async Task Approve_WithoutAPendingRequest_IsAnError()
    {
        await Cairn("models", "register", LogModel(0.9), "--name", "points");
        var (exit, _, err) = await Cairn("models", "approve", "points", "--version", "1", "--to", "champion", "--comment", "x");
        Assert.NotEqual(0, exit);
        Assert.Contains("no pending promotion", err);
    }

    [Fact]
    public async Task ConvertThenPredictWithBothFlavors_Agree()
    {
        var uri = LogModel(0.9);

        var convert = await Cairn("models", "convert", uri, "--to", "onnx");
        var mlnet = await Cairn("models", "predict", uri, "--input", """{"X": 0.9, "Y": 0.8}""");
        var onnx = await Cairn("models", "predict", uri, "--flavor", "onnx", "--input", """[{"X": 0.9, "Y": 0.8}]""");

        Assert.Equal(0, convert.Exit);
        var a = JsonNode.Parse(mlnet.Out)!["predictions"]![0]!["Probability"]!.GetValue<double>();
        var b = JsonNode.Parse(onnx.Out)!["predictions"]![0]!["Probability"]!.GetValue<double>();
        Assert.True(a > 0.5);
        Assert.Equal(a, b, 4);
    }

    [Theory]
    [InlineData("""{"X": null, "Y": 0.8}""")]
    [InlineData("""{"X": "NaN", "Y": 0.8}""")]
    public async Task Predict_AMissingFloat_ScoresAsNaNDoesInProcess(string input)
    {
        var uri = LogModel(0.9);
        object? expected;
        using (var cairn = CairnClient.Open(_folder.File("store")))
        using (var model = cairn.LoadModel(uri))
            expected = model.Predict(new Dictionary<string, object?> { ["X"] = double.NaN, ["Y"] = 0.8 })["Probability"];

        var (exit, output, error) = await Cairn("models", "predict", uri, "--input", input);

        Assert.True(exit == 0, error);
        var probability = JsonNode.Parse(output)!["predictions"]![0]!["Probability"]!;
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(expected, CairnJson.Readable), probability.ToJsonString());
    }

    [Fact]
    public async Task Lineage_PrintsRunParamsAndAliases()
    {
        await Cairn("models", "register", LogModel(0.9), "--name", "points");
        await Cairn("models", "alias", "points", "champion", "1");
        var (exit, output, _) = await Cairn("models", "lineage", "models:/points@champion");
        Assert.Equal(0, exit);
        Assert.Contains("models:/points/1", output);
        Assert.Contains("auc=0.9", output);
        Assert.Contains("AliasMoved", output);
    }

    [Theory]
    [InlineData("champion.metrics.acu")]
    [InlineData("metrics.acu")]
    public async Task Promote_GateNamesAMetricNoRunLogged_ExitsTwoNamingTheMetricsThereAre(string typo)
    {
        await Cairn("models", "register", LogModel(0.9), "--name", "points");
        await Cairn("models", "alias", "points", "champion", "1");
        await Cairn("models", "register", LogModel(0.95), "--name", "points");

        var (exit, output, err) = await Cairn("models", "promote", "points", "--version", "2", "--to", "champion", "--require", $"metrics.auc >= {typo} - 0.005");
        var history = await Cairn("models", "history", "points", "--version", "2", "-o", "json");

        Assert.Equal(2, exit);
        Assert.Contains(typo, err);
        Assert.Contains("metrics: auc", err);
        Assert.DoesNotContain("approve", err + output);
        var actions = JsonNode.Parse(history.Out)!["transitions"]!.AsArray().Select(t => t!["action"]!.GetValue<string>()).ToList();
        Assert.Equal(["REGISTERED"], actions); // nothing pending to approve
    }

    [Fact]
    public async Task Promote_ChampionLacksAMetricTheCandidateHas_IsAFailedGate()
    {
        await Cairn("models", "register", LogModel(0.9), "--name", "points");
        await Cairn("models", "alias", "points", "champion", "1");
        var uri = LogModel(0.95);
        using (var cairn = CairnClient.Open(_folder.File("store")))
            await cairn.Tracking.LogMetricAsync(RunUri.Parse(uri).RunId, new Metric("latency_ms", 3, 0, 0));
        await Cairn("models", "register", uri, "--name", "points");

        var (exit, output, _) = await Cairn("models", "promote", "points", "--version", "2", "--to", "champion", "--require", "metrics.latency_ms <= champion.metrics.latency_ms");

        Assert.Equal(4, exit);
        Assert.Contains("champion.metrics.latency_ms is missing", output);
    }

    [Fact]
    public async Task Card_OutputJson_HasTheMarkdown()
    {
        await Cairn("models", "register", LogModel(0.9), "--name", "points", "--description", "Separates points.");

        var (exit, output, err) = await Cairn("models", "card", "models:/points/1", "--output", "json");

        Assert.True(exit == 0, err);
        var json = JsonNode.Parse(output)!;
        Assert.Equal("points", json["name"]!.GetValue<string>());
        Assert.Contains("Separates points.", json["model_card"]!.GetValue<string>());
    }

    [Fact]
    public async Task Register_RunUriWithAShortId_RegistersTheFullRunUri()
    {
        var uri = LogModel(0.9);
        var runId = RunUri.Parse(uri).RunId;

        var (exit, _, err) = await Cairn("models", "register", $"runs:/{runId[..8]}/model", "--name", "points");
        var show = await Cairn("models", "show", "models:/points/1", "-o", "json");

        Assert.True(exit == 0, err);
        Assert.Equal($"runs:/{runId}/model", JsonNode.Parse(show.Out)!["model_version"]!["source"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("models:/nope@champion", "cairn models list")]
    [InlineData("models:/points@nope", "cairn models show points")]
    public async Task Predict_UnknownModelOrAlias_SaysWhereToLook(string uri, string hint)
    {
        await Cairn("models", "register", LogModel(0.9), "--name", "points");

        var (exit, _, err) = await Cairn("models", "predict", uri, "--input", """{"X": 0.9, "Y": 0.8}""");

        Assert.Equal(3, exit);
        Assert.Contains(hint, err);
    }

    [Theory]
    [InlineData("models", "show", "models:/nope/1")]
    [InlineData("models", "show", "models:/points")]
    [InlineData("models", "promote", "points", "--version", "1", "--to", "champion", "--require", "metrics.auc >>")]
    [InlineData("models", "predict", "models:/points/1", "--input", "{not json")]
    public async Task BadInput_ExitsNonZeroWithAMessage(params string[] args)
    {
        await Cairn("models", "register", LogModel(0.9), "--name", "points");
        var (exit, output, err) = await Cairn(args);
        Assert.NotEqual(0, exit);
        Assert.False(string.IsNullOrWhiteSpace(err));
        Assert.DoesNotContain("   at ", err + output);
    }
}
