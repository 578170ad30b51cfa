using System.Text.RegularExpressions;
using Cairn.Models;
using Cairn.Models.Signing;
using Cairn.Testing;
using Microsoft.ML;

namespace Cairn.Serving.Tests;

/// <summary>`cairn serve --require-signature` in its own process: a signed version is served, and one the alias moves to unsigned is not swapped in.</summary>
public partial class SignedServeTests
{
    private sealed class Point
    {
        public float X { get; set; }
        public bool Label { get; set; }
    }

    [Fact]
    public async Task Serve_RequireSignature_ServesTheSignedVersion_AndWatchRefusesAnUnsignedOne()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 2);
        var points = Enumerable.Range(0, 200).Select(i => new Point { X = i / 200f, Label = i > 100 }).ToList();
        var data = ml.Data.LoadFromEnumerable(points);
        var model = ml.Transforms.Concatenate("Features", "X").Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label")).Fit(data);
        var store = folder.File("store");
        using var cairn = CairnClient.Open(store);
        var registry = new ModelRegistry(cairn);
        string Log()
        {
            using var run = cairn.StartRun("points");
            return run.LogModel("model", ml, model, data.Schema, labelColumn: "Label").ModelUri;
        }
        var key = SigningKey.Generate(SigningAlgorithms.EcdsaP256);
        var trusted = key.Save(folder.File("key.pem"));
        await registry.RegisterAsync(Log(), "threshold");
        await new ModelSignatures(cairn).SignAsync("models:/threshold/1", key);
        await registry.SetAliasAsync("threshold", "champion", "1");
        var unsigned = await registry.RegisterAsync(Log(), "threshold");

        using var server = ChildProcess.StartDll("cairn.dll",
            ["serve", "models:/threshold@champion", "--port", "0", "--watch", "1", "--inference-log", "none", "--require-signature", "--trusted-keys", trusted],
            new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = store });
        var line = await server.WaitForLineAsync(l => l.Contains("Serving"), TimeSpan.FromSeconds(60));
        await registry.SetAliasAsync("threshold", "champion", unsigned.Version);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !server.StandardError.Contains("is unsigned")) await Task.Delay(200);
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(line).Value) };
        using var response = await http.PostAsync("/v2/models/threshold/infer", new StringContent(
            """{"inputs": [{"name": "X", "shape": [1], "datatype": "FP32", "data": [0.95]}]}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Contains("Serving threshold version 1", line);
        Assert.Contains($"models:/threshold/{unsigned.Version} is unsigned", server.StandardError);
        Assert.Contains("still serving version 1", server.StandardError);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("1", System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["model_version"]!.GetValue<string>());
    }

    [GeneratedRegex(@"http://[0-9.]+:[0-9]+")]
    private static partial Regex Address();
}
