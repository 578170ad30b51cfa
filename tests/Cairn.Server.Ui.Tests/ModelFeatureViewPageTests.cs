using System.Net;
using Cairn.Data;
using Cairn.Models;
using Cairn.Testing;

namespace Cairn.Server.Ui.Tests;

/// <summary>The model version page names the feature view versions its training data was derived from.</summary>
public sealed class ModelFeatureViewPageTests
{
    private static NewDatasetVersion Version(string name, char digestFill, params string[] derivedFrom) =>
        new(name, "blake3:" + new string(digestFill, 64), "file", 2048, 1, $"data/{name}.parquet", null, null, null, "alice") { DerivedFrom = derivedFrom };

    [Fact]
    public async Task ModelVersionPage_LinksTheFeatureViewsOfItsTrainingSet_AndEscapesAHostileInput()
    {
        await using var server = await RunningServer.StartAsync();
        await server.Stores.Datasets.CreateVersionAsync(Version("raw", 'a', "features:/weather@2"));
        await server.Stores.Datasets.CreateVersionAsync(Version("delay_train", 'b', "features:/airport_delays@3", "data:/raw@1"));
        using var client = server.Client();
        string runId;
        using (var run = client.StartRun("delay"))
        {
            run.LogInput("data:/delay_train@1");
            // Through the raw API a "cairn" input can carry any text: it names no dataset, so it adds no edge.
            run.LogInput("evil", new string('c', 64), "data:/<script>alert(1)</script>@1", sourceType: ActiveRun.DatasetSourceType);
            run.LogText(ModelManifest.Create("model", run.RunId, null).ToString(), "model/MLmodel");
            runId = run.RunId;
        }
        await new ModelRegistry(client).RegisterAsync($"runs:/{runId}/model", "delay");

        using var response = await server.Http.GetAsync("/models/delay/versions/1");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches("<a class=\"node-name\" href=\"/features/views/airport_delays\" title=\"via data:/delay_train@1\">features:/airport_delays@3</a>", html);
        Assert.Matches("<a class=\"node-name\" href=\"/features/views/weather\" title=\"via data:/delay_train@1\">features:/weather@2</a>", html);
        Assert.Contains("<td>feature views</td>\n<td>features:/airport_delays@3 via data:/delay_train@1, features:/weather@2 via data:/delay_train@1</td>", html);
        Assert.DoesNotContain("<script>alert(1)", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
    }

    [Fact]
    public async Task ModelVersionPage_TrainedOnDataWithoutEdges_ShowsNoFeatureView()
    {
        await using var server = await RunningServer.StartAsync();
        await server.Stores.Datasets.CreateVersionAsync(Version("flights", 'a'));
        using var client = server.Client();
        string runId;
        using (var run = client.StartRun("delay"))
        {
            run.LogInput("data:/flights@1");
            run.LogText(ModelManifest.Create("model", run.RunId, null).ToString(), "model/MLmodel");
            runId = run.RunId;
        }
        await new ModelRegistry(client).RegisterAsync($"runs:/{runId}/model", "delay");

        var html = await server.Http.GetStringAsync("/models/delay/versions/1");

        Assert.Contains("data:/flights@1", html);
        Assert.DoesNotContain("/features/views/", html);
        Assert.DoesNotContain("feature views", html);
    }
}

/// <summary>The feature view page lists the model versions trained on data derived from the view.</summary>
public sealed class FeatureViewModelsPageTests
{
    [Fact]
    public async Task FeatureViewPage_ListsTheModelVersionsTrainedOnIt_AndNotOthers()
    {
        await using var server = await RunningServer.StartAsync();
        await server.Stores.Features.ApplyAsync(new Cairn.Features.FeatureRepository(
            [new("airport", [new("Origin", Cairn.Features.FeatureType.String)])],
            [new("flights", Cairn.Features.FeatureSourceKinds.File, "event_time", Path: "data/flights.parquet")],
            [new("airport_delays", ["airport"], "flights", [new("avg_delay", Cairn.Features.FeatureType.Double)]),
             new("weather", ["airport"], "flights", [new("temp", Cairn.Features.FeatureType.Double)])], []));
        await server.Stores.Datasets.CreateVersionAsync(new NewDatasetVersion("delay_train", "blake3:" + new string('b', 64), "file", 1, 1, "data/t.parquet", null, null, null, "alice")
            { DerivedFrom = ["features:/airport_delays@1"] });
        await server.Stores.Datasets.CreateVersionAsync(new NewDatasetVersion("weather_train", "blake3:" + new string('c', 64), "file", 1, 1, "data/w.parquet", null, null, null, "alice")
            { DerivedFrom = ["features:/weather@1"] });
        using var client = server.Client();
        async Task RegisterAsync(string model, string input)
        {
            string runId;
            using (var run = client.StartRun(model))
            {
                run.LogInput(input);
                run.LogText(ModelManifest.Create("model", run.RunId, null).ToString(), "model/MLmodel");
                runId = run.RunId;
            }
            await new ModelRegistry(client).RegisterAsync($"runs:/{runId}/model", model);
        }
        await RegisterAsync("delay", "data:/delay_train@1");
        await RegisterAsync("delay", "data:/delay_train@1");
        await RegisterAsync("temperature", "data:/weather_train@1");

        var delays = await server.Http.GetStringAsync("/features/views/airport_delays");
        var weather = await server.Http.GetStringAsync("/features/views/weather");

        Assert.Contains("<a href=\"/models/delay/versions/2\">models:/delay/2</a>", delays);
        Assert.Contains("<a href=\"/models/delay/versions/1\">models:/delay/1</a>", delays);
        Assert.DoesNotContain("models:/temperature", delays);
        Assert.Contains("<td>features:/airport_delays@1</td>", delays);
        Assert.Contains("<td>data:/delay_train@1</td>", delays);
        Assert.Contains("models:/temperature/1", weather);
        Assert.DoesNotContain("models:/delay/", weather);
    }
}

/// <summary>A service with an on-demand feature says how it is computed instead of calling it unregistered.</summary>
public sealed class OnDemandServicePageTests
{
    [Fact]
    public async Task ServicePage_AnOnDemandFeature_NamesItsFunctionAndInputs()
    {
        await using var server = await RunningServer.StartAsync();
        await server.Stores.Features.ApplyAsync(new Cairn.Features.FeatureRepository(
            [new("airport", [new("Origin", Cairn.Features.FeatureType.String)])],
            [new("flights", Cairn.Features.FeatureSourceKinds.File, "event_time", Path: "data/flights.parquet")],
            [new("airport_delays", ["airport"], "flights", [new("avg_delay", Cairn.Features.FeatureType.Double)])],
            [new("delay_v1", [new("airport_delays", "avg_delay"), new("delay_ratio", "ratio")])])
        {
            OnDemandViews = [new("delay_ratio", [new("scheduled_minutes", Cairn.Features.FeatureType.Double)], [new("airport_delays", "avg_delay")],
                [new("ratio", Cairn.Features.FeatureType.Double)], "DelayRatio")],
        });

        var html = await server.Http.GetStringAsync("/features/services/delay_v1");

        Assert.Contains("(on demand: computed by DelayRatio from airport_delays:avg_delay, request scheduled_minutes)", html);
        Assert.DoesNotContain("not registered", html);
        Assert.Contains("<td class=\"type\">double</td>", html);
    }
}
