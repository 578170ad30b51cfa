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
