using System.Text.Json.Nodes;
using Cairn.Cli;
using Cairn.Models;
using Cairn.Registry;
using Cairn.Testing;
using Microsoft.ML;

namespace Cairn.Serving.Tests;

/// <summary>`cairn serve --explain`: the explain routes answer with the background given; explanation options without it are refused.</summary>
public partial class ServeCommandTests
{
    private sealed class PlanePoint
    {
        public float X { get; set; }
        public float Y { get; set; }
        public bool Label { get; set; }
    }

    private static async Task<string> RegisterThreshold(string store)
    {
        var ml = new MLContext(seed: 2);
        var points = Enumerable.Range(0, 200).Select(i => new PlanePoint { X = i / 200f, Y = i % 7 / 7f, Label = i > 100 }).ToList();
        var data = ml.Data.LoadFromEnumerable(points);
        var model = ml.Transforms.Concatenate("Features", "X", "Y").Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label")).Fit(data);
        using var cairn = CairnClient.Open(store);
        string uri;
        using (var run = cairn.StartRun("points")) uri = run.LogModel("model", ml, model, data.Schema, labelColumn: "Label").ModelUri;
        var version = await new ModelRegistry(cairn).RegisterAsync(uri, "threshold");
        return $"models:/threshold/{version.Version}";
    }

    [Fact]
    public async Task Serve_WithExplainAndABackgroundFile_AnswersTheExplainRoute()
    {
        using var folder = new TempFolder();
        var uri = await RegisterThreshold(folder.Path);
        var background = folder.File("background.csv");
        await File.WriteAllTextAsync(background, "X,Y\n0.1,0.5\n0.3,0.5\n0.5,0.5\n0.7,0.5\n");

        using var server = ChildProcess.StartDll("cairn.dll", ["serve", uri, "--port", "0", "--inference-log", "none", "--explain", "--explain-background", background],
            new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = folder.Path });
        var line = await server.WaitForLineAsync(l => l.Contains("Serving"), TimeSpan.FromSeconds(60));
        Assert.Contains(":explain", line);
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(line).Value) };
        using var response = await http.PostAsync("/v1/models/threshold:explain",
            new StringContent("""{"instances": [{"X": 0.95, "Y": 0.5}]}""", System.Text.Encoding.UTF8, "application/json"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body + server.StandardError);
        var explanation = JsonNode.Parse(body)!["explanations"]![0]!;
        var values = explanation["values"]!.AsObject();
        Assert.Equal(explanation["output"]!.GetValue<double>() - explanation["base_value"]!.GetValue<double>(), values.Sum(v => v.Value!.GetValue<double>()), 6);
        // Y is 0.5 in every background row and in the instance: it explains nothing; X, far above the background, pushes the score up.
        Assert.Equal(0, values["Y"]!.GetValue<double>(), 6);
        Assert.True(values["X"]!.GetValue<double>() > 0);
    }

    [Theory]
    [InlineData("--explain-method", "kernel", "--explain-method needs --explain")]
    [InlineData("--explain-log-rate", "2", "--explain-log-rate must be between 0 and 1")]
    [InlineData("--explain-target", "1", "--explain-target needs --explain")]
    public async Task Serve_ExplainOptionsAlone_AreRefusedWithAMessage(string option, string value, string message)
    {
        using var folder = new TempFolder();
        var stderr = new StringWriter();

        var exit = await CairnCli.RunAsync(["--tracking-uri", folder.Path, "serve", "models:/threshold/1", "--port", "0", option, value], new StringWriter(), stderr);

        Assert.NotEqual(0, exit);
        Assert.Contains(message, stderr.ToString());
    }

    [Fact]
    public async Task Serve_ExplainTarget_OnAModelWithOneOutput_IsRefusedBeforeServing()
    {
        using var folder = new TempFolder();
        var uri = await RegisterThreshold(folder.Path);
        var background = folder.File("background.csv");
        await File.WriteAllTextAsync(background, "X,Y\n0.1,0.5\n0.3,0.5\n");
        var stderr = new StringWriter();

        var exit = await CairnCli.RunAsync(["--tracking-uri", folder.Path, "serve", uri, "--port", "0", "--inference-log", "none",
            "--explain", "--explain-background", background, "--explain-target", "3"], new StringWriter(), stderr);

        Assert.NotEqual(0, exit);
        Assert.Contains("target 3 does not exist", stderr.ToString());
    }

    [Fact]
    public async Task Serve_ExplainWithoutABackground_ForAModelWithoutTrainingData_SaysToPassOne()
    {
        using var folder = new TempFolder();
        var uri = await RegisterThreshold(folder.Path);
        var stderr = new StringWriter();

        var exit = await CairnCli.RunAsync(["--tracking-uri", folder.Path, "serve", uri, "--port", "0", "--inference-log", "none", "--explain"], new StringWriter(), stderr);

        Assert.NotEqual(0, exit);
        Assert.Contains("no recorded training data", stderr.ToString());
    }
}
