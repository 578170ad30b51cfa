using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cairn.Cli;
using Cairn.Features;
using Cairn.Models;
using Cairn.Storage.Sqlite;
using Cairn.Testing;
using Microsoft.ML;
using Parquet.Serialization;

namespace Cairn.Serving.Tests;

/// <summary><c>cairn serve --feature-service</c>: request rows enriched from a real SQLite online store before scoring.</summary>
public partial class ServeCommandTests
{
    private sealed class DelayPoint
    {
        public float avg_delay { get; set; }
        public bool Label { get; set; }
    }

    private sealed class LoggedEnriched
    {
        public string? input_Origin { get; set; }
        public double? input_avg_delay { get; set; }
        public bool? output_PredictedLabel { get; set; }
    }

    private static readonly FeatureRepository DelayFeatures = new(
        [new EntityDefinition("airport", [new FeatureField("Origin", FeatureType.String)])],
        [new FeatureSourceDefinition("delays", FeatureSourceKinds.File, "event_time", Path: "delays.csv")],
        [new FeatureViewDefinition("airport_delays", ["airport"], "delays", [new FeatureField("avg_delay", FeatureType.Double)])],
        [new FeatureServiceDefinition("delay_v1", [new FeatureReference("airport_delays", "avg_delay")])]);

    /// <summary>A store with the delay features applied and a model whose one input is the feature (late when avg_delay &gt; 0.5); the model's URI.</summary>
    private static async Task<string> FeatureModelStoreAsync(string store)
    {
        var ml = new MLContext(seed: 5);
        var points = Enumerable.Range(0, 200).Select(i => new DelayPoint { avg_delay = i / 200f, Label = i > 100 }).ToList();
        var data = ml.Data.LoadFromEnumerable(points);
        var model = ml.Transforms.Concatenate("Features", "avg_delay").Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label")).Fit(data);
        using var cairn = CairnClient.Open(store);
        await cairn.Features.ApplyAsync(DelayFeatures);
        using var run = cairn.StartRun("delays");
        return run.LogModel("model", ml, model, data.Schema, labelColumn: "Label").ModelUri;
    }

    private static async Task PushDelayAsync(string store, string online, string origin, double delay, string at)
    {
        using var cairn = CairnClient.Open(store);
        await using var sqlite = new SqliteOnlineFeatureStore(online);
        var service = new LocalOnlineFeatureService(cairn.Features, sqlite, Path.Combine(store, "push"));
        await service.PushAsync("airport_delays", [new Dictionary<string, object?> { ["Origin"] = origin, ["event_time"] = at, ["avg_delay"] = delay }]);
    }

    private static async Task<JsonNode> ScoreAsync(HttpClient http, string body)
    {
        using var response = await http.PostAsync("/invocations", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!["predictions"]!;
    }

    [Fact]
    public async Task Serve_FeatureService_ScoresTheOnlineValue_FollowsItsChanges_AndLogsIt()
    {
        using var folder = new TempFolder();
        var store = folder.File("store");
        var online = folder.File("online.db");
        var uri = await FeatureModelStoreAsync(store);
        await PushDelayAsync(store, online, "SEA", 0.9, "2024-01-01T00:00:00Z");
        await PushDelayAsync(store, online, "BOS", 0.1, "2024-01-01T00:00:00Z");

        using var server = ChildProcess.StartDll("cairn.dll", ["serve", uri, "--port", "0", "--name", "delay", "--feature-service", "delay_v1",
            "--online-store", online, "--inference-log", folder.File("log")], new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = store }, interruptible: true);
        var line = await server.WaitForLineAsync(l => l.Contains("Serving"), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(line).Value) };

        var before = await ScoreAsync(http, """{"instances": [{"Origin": "SEA"}, {"Origin": "BOS"}, {"Origin": "LAX"}]}""");
        await PushDelayAsync(store, online, "SEA", 0.05, "2024-01-02T00:00:00Z");
        var after = await ScoreAsync(http, """{"instances": [{"Origin": "SEA"}]}""");
        using (var interrupt = Process.Start("kill", ["-INT", server.Process.Id.ToString()])) await interrupt.WaitForExitAsync();
        Assert.Equal(0, await server.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("Enriching requests with feature service delay_v1: avg_delay, looked up by Origin.", server.StandardOutput);
        Assert.True(before[0]!["PredictedLabel"]!.GetValue<bool>());
        Assert.False(before[1]!["PredictedLabel"]!.GetValue<bool>());
        Assert.False(after[0]!["PredictedLabel"]!.GetValue<bool>());
        var logged = new List<LoggedEnriched>();
        foreach (var file in Directory.GetFiles(folder.File("log"), "*.parquet", SearchOption.AllDirectories))
        {
            await using var stream = File.OpenRead(file);
            logged.AddRange((await ParquetSerializer.DeserializeAsync<LoggedEnriched>(stream)).Data);
        }
        // LAX has nothing online: logged as missing, as the model read it.
        var expected = new (string, double?)[] { ("BOS", 0.1), ("LAX", null), ("SEA", 0.05), ("SEA", 0.9) };
        Assert.Equal(expected, logged.Select(r => (r.input_Origin!, r.input_avg_delay is { } d ? Math.Round(d, 6) : (double?)null)).OrderBy(p => p.Item1).ThenBy(p => p.Item2));
    }

    [Fact]
    public async Task Serve_FeatureService_ARowWithoutTheJoinKeyOrGivingAFeature_Is400NamingIt()
    {
        using var folder = new TempFolder();
        var store = folder.File("store");
        var online = folder.File("online.db");
        var uri = await FeatureModelStoreAsync(store);
        await PushDelayAsync(store, online, "SEA", 0.9, "2024-01-01T00:00:00Z");

        using var server = ChildProcess.StartDll("cairn.dll", ["serve", uri, "--port", "0", "--feature-service", "delay_v1", "--online-store", online, "--inference-log", "none"],
            new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = store });
        var line = await server.WaitForLineAsync(l => l.Contains("Serving"), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(line).Value) };

        using var noKey = await http.PostAsync("/invocations", new StringContent("""{"instances": [{"Origin": "SEA"}, {"Dest": "SEA"}]}""", System.Text.Encoding.UTF8, "application/json"));
        using var givesFeature = await http.PostAsync("/invocations", new StringContent("""{"instances": [{"Origin": "SEA", "avg_delay": 0.1}]}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, noKey.StatusCode);
        Assert.Contains("Row 1 has no join key 'Origin'", JsonNode.Parse(await noKey.Content.ReadAsStringAsync())!["message"]!.GetValue<string>());
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, givesFeature.StatusCode);
        Assert.Contains("'avg_delay'", JsonNode.Parse(await givesFeature.Content.ReadAsStringAsync())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Serve_UnknownFeatureService_FailsAtStartup_NamingTheRegisteredOnes()
    {
        using var folder = new TempFolder();
        var store = folder.File("store");
        var uri = await FeatureModelStoreAsync(store);
        var stderr = new StringWriter();

        var exit = await CairnCli.RunAsync(["--tracking-uri", store, "serve", uri, "--port", "0", "--inference-log", "none", "--feature-service", "delay_v9",
            "--online-store", folder.File("online.db")], new StringWriter(), stderr);

        Assert.NotEqual(0, exit);
        Assert.Contains("Feature service 'delay_v9' is not registered; registered: delay_v1", stderr.ToString());
        Assert.DoesNotContain("   at ", stderr.ToString());
    }

    [Fact]
    public void Enricher_AServiceWithTwoFeaturesOfOneName_IsRefused_NamingIt()
    {
        var twoViews = DelayFeatures with
        {
            Views = [.. DelayFeatures.Views, new FeatureViewDefinition("weather", ["airport"], "delays", [new FeatureField("avg_delay", FeatureType.Double)])],
            Services = [new FeatureServiceDefinition("both", [new FeatureReference("airport_delays", "avg_delay"), new FeatureReference("weather", "avg_delay")])],
        };

        var error = Assert.Throws<CairnException>(() => OnlineFeatureEnricher.Create(null!, twoViews, "both"));

        Assert.Contains("two features named 'avg_delay'", error.Message);
    }

    [Fact]
    public async Task Serve_OnlineStoreWithoutFeatureService_IsRefused()
    {
        using var folder = new TempFolder();
        var stderr = new StringWriter();

        var exit = await CairnCli.RunAsync(["--tracking-uri", folder.File("store"), "serve", "models:/none@champion", "--port", "0", "--inference-log", "none",
            "--online-store", folder.File("online.db")], new StringWriter(), stderr);

        Assert.NotEqual(0, exit);
        Assert.Contains("--online-store is read only with --feature-service", stderr.ToString());
    }
}
