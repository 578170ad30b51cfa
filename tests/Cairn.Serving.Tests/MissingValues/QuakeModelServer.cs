using System.Net;
using System.Text;
using Cairn.Models;
using Cairn.Testing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cairn.Serving.Tests.MissingValues;

/// <summary>A training row: a float that may be missing, an integer that may not, a category, a label.</summary>
public sealed class QuakeRow
{
    public float Depth { get; set; }
    public long Stations { get; set; }
    public string Region { get; set; } = "";
    public float Label { get; set; }
}

/// <summary>
/// A FastTree regression (trees send NaN down their learned default branch) served over a socket:
/// inputs Depth (float), Stations (long), Region (string); output Score.
/// </summary>
public sealed class QuakeModelServer : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private StartedModelServer _server = null!;

    public HttpClient Http => _server.Http;
    public LoadedModel Model { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var ml = new MLContext(seed: 7);
        var random = new Random(7);
        var rows = Enumerable.Range(0, 300).Select(i =>
        {
            var depth = (float)(random.NextDouble() * 100);
            var stations = (long)random.Next(5, 60);
            var region = i % 3 == 0 ? "north" : "south";
            var missing = i % 10 == 0; // trees learn where a missing depth goes
            return new QuakeRow { Depth = missing ? float.NaN : depth, Stations = stations, Region = region, Label = (float)(depth / 20 + stations / 30.0 + (region == "north" ? 1 : 0)) };
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Conversion.ConvertType("StationsF", "Stations", DataKind.Single)
            .Append(ml.Transforms.Categorical.OneHotEncoding("RegionCode", "Region"))
            .Append(ml.Transforms.Concatenate("Features", "Depth", "StationsF", "RegionCode"))
            .Append(ml.Regression.Trainers.FastTree("Label", numberOfLeaves: 4, numberOfTrees: 20, minimumExampleCountPerLeaf: 5)).Fit(data);
        using var cairn = CairnClient.Open(_folder.File("store"));
        string uri;
        using (var run = cairn.StartRun("quakes")) uri = run.LogModel("model", ml, model, data.Schema, rows.Take(2).ToList(), labelColumn: "Label").ModelUri;
        Model = await cairn.LoadModelAsync(uri);
        _server = await StartedModelServer.StartAsync(new ModelServerOptions(new ModelHost(new ServedModel("quakes", "1", Model))));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Model.Dispose();
        _folder.Dispose();
    }

    /// <summary>The model's score in process for a row whose depth is <paramref name="depth"/>.</summary>
    public float Expected(float depth, long stations, string region) =>
        (float)Model.Predict(new Dictionary<string, object?> { ["Depth"] = depth, ["Stations"] = stations, ["Region"] = region })["Score"]!;

    public async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, string body, string contentType = "application/json")
    {
        using var response = await Http.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
