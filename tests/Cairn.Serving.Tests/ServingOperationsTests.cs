using System.Net;
using System.Text;
using Cairn.Models;
using Cairn.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.ML;
using Parquet.Serialization;

namespace Cairn.Serving.Tests;

/// <summary>Batching, back-pressure, metrics and the inference log, on a real server with a real model.</summary>
public class ServingOperationsTests
{
    private sealed class Point
    {
        public float X { get; set; }
        public bool Label { get; set; }
    }

    /// <summary>A real model, scored through a wrapper that counts calls and can be slowed down.</summary>
    private sealed class CountingPredictor(IModelPredictor inner) : IModelPredictor
    {
        public int Calls;
        public int MaxRows;
        public TimeSpan Delay = TimeSpan.Zero;
        public string Flavor => inner.Flavor;
        public ModelSignature Signature => inner.Signature;

        public IReadOnlyList<IReadOnlyDictionary<string, object?>> Predict(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
        {
            Interlocked.Increment(ref Calls);
            lock (this) MaxRows = Math.Max(MaxRows, rows.Count);
            if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
            return inner.Predict(rows);
        }

        public void Dispose() => inner.Dispose();
    }

    private static async Task<IModelPredictor> TrainAsync(TempFolder folder)
    {
        var ml = new MLContext(seed: 2);
        var points = Enumerable.Range(0, 200).Select(i => new Point { X = i / 200f, Label = i > 100 }).ToList();
        var data = ml.Data.LoadFromEnumerable(points);
        var model = ml.Transforms.Concatenate("Features", "X").Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label")).Fit(data);
        using var cairn = CairnClient.Open(folder.File("store"));
        string uri;
        using (var run = cairn.StartRun("points")) uri = run.LogModel("model", ml, model, data.Schema, labelColumn: "Label").ModelUri;
        return await cairn.LoadModelAsync(uri);
    }

    private static async Task<(WebApplication App, HttpClient Http)> Start(ModelServerOptions options)
    {
        var app = ModelServer.Build(options with { Port = 0 });
        await app.StartAsync();
        var server = (Microsoft.AspNetCore.Hosting.Server.IServer)app.Services.GetService(typeof(Microsoft.AspNetCore.Hosting.Server.IServer))!;
        var url = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(url) });
    }

    private static StringContent Body(float x) => new($$"""{"instances": [{"X": {{x.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}]}""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task ConcurrentRequests_AreBatched_AndEachGetsItsOwnAnswer()
    {
        using var folder = new TempFolder();
        var predictor = new CountingPredictor(await TrainAsync(folder)) { Delay = TimeSpan.FromMilliseconds(5) };
        await using var host = new ModelHost(new ServedModel("points", "1", predictor, new BatchingOptions(MaxBatchRows: 32, MaxWait: TimeSpan.FromMilliseconds(5))));
        var (app, http) = await Start(new ModelServerOptions(host));

        var xs = Enumerable.Range(0, 64).Select(i => i / 64f).ToArray();
        var answers = await Task.WhenAll(xs.Select(async x =>
        {
            using var response = await http.PostAsync("/invocations", Body(x));
            var json = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            return json["predictions"]![0]!["Probability"]!.GetValue<float>();
        }));

        Assert.True(predictor.Calls < 64, $"{predictor.Calls} model calls for 64 requests: nothing was batched");
        Assert.True(predictor.MaxRows > 1);
        for (var i = 0; i < xs.Length; i++)
            Assert.Equal((float)predictor.Predict([new Dictionary<string, object?> { ["X"] = xs[i] }])[0]["Probability"]!, answers[i], 5);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("cairn_inference_batch_rows_count{model=\"points\",version=\"1\"}", metrics);
        await app.StopAsync();
    }

    [Fact]
    public async Task FullQueue_Is503WithRetryAfter_NotUnboundedMemory()
    {
        using var folder = new TempFolder();
        var predictor = new CountingPredictor(await TrainAsync(folder)) { Delay = TimeSpan.FromMilliseconds(300) };
        await using var host = new ModelHost(new ServedModel("points", "1", predictor, new BatchingOptions(MaxBatchRows: 1, MaxQueuedRequests: 2)));
        var (app, http) = await Start(new ModelServerOptions(host));

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => http.PostAsync("/invocations", Body(0.5f))));

        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.Equal("1", r.Headers.RetryAfter!.ToString()));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Contains("queue is full", await refused[0].Content.ReadAsStringAsync());
        await app.StopAsync();
    }

    [Fact]
    public async Task Metrics_CountRequestsErrorsAndLatencyPerModelVersionAndProtocol()
    {
        using var folder = new TempFolder();
        await using var host = new ModelHost(new ServedModel("points", "7", await TrainAsync(folder)));
        var (app, http) = await Start(new ModelServerOptions(host));

        (await http.PostAsync("/invocations", Body(0.2f))).EnsureSuccessStatusCode();
        (await http.PostAsync("/v2/models/points/infer", new StringContent("""{"inputs": [{"name": "X", "shape": [1], "datatype": "FP32", "data": [0.3]}]}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        await http.PostAsync("/invocations", new StringContent("""{"instances": [{"Y": 1}]}""", Encoding.UTF8, "application/json"));
        var metrics = await http.GetStringAsync("/metrics");

        Assert.Contains("cairn_inference_requests_total{model=\"points\",version=\"7\",protocol=\"mlflow\"} 2", metrics);
        Assert.Contains("cairn_inference_requests_total{model=\"points\",version=\"7\",protocol=\"oip-v2\"} 1", metrics);
        Assert.Contains("cairn_inference_errors_total{model=\"points\",version=\"7\",protocol=\"mlflow\",status=\"400\"} 1", metrics);
        Assert.Contains("cairn_inference_request_duration_seconds_bucket", metrics);
        Assert.Contains("cairn_inference_queue_depth{model=\"points\",version=\"7\"} 0", metrics);
        await app.StopAsync();
    }

    [Fact]
    public async Task InferenceLog_WritesHourlyParquetPartitionsWithRequestIdsInputsAndOutputs()
    {
        using var folder = new TempFolder();
        await using var host = new ModelHost(new ServedModel("points", "1", await TrainAsync(folder)));
        var log = new InferenceLog(folder.File("log"), flushEvery: TimeSpan.FromMilliseconds(200));
        var (app, http) = await Start(new ModelServerOptions(host) { Log = log });

        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/invocations") { Content = Body(i / 5f) };
            request.Headers.Add("x-request-id", $"req-{i}");
            (await http.SendAsync(request)).EnsureSuccessStatusCode();
        }
        await app.StopAsync(); // graceful shutdown flushes the log
        await log.DisposeAsync();

        var files = Directory.GetFiles(folder.File("log"), "*.parquet", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.Matches(@"model=points[/\\]date=\d{4}-\d{2}-\d{2}[/\\]hour=\d{2}[/\\]part-", f));
        var records = new List<LoggedPrediction>();
        foreach (var file in files)
        {
            await using var stream = File.OpenRead(file);
            records.AddRange((await ParquetSerializer.DeserializeAsync<LoggedPrediction>(stream)).Data);
        }
        Assert.Equal(["req-0", "req-1", "req-2", "req-3", "req-4"], records.Select(r => r.request_id).Order());
        Assert.All(records, r => Assert.Equal("1", r.version));
        Assert.Equal([0.0, 0.2, 0.4, 0.6, 0.8], records.Select(r => Math.Round(r.input_X!.Value, 3)).Order());
        Assert.All(records, r => Assert.InRange(r.output_Probability!.Value, 0, 1));
        Assert.Equal(0, log.Dropped);
    }

    /// <summary>The log's columns for this model, named as they are stored.</summary>
    private sealed class LoggedPrediction
    {
        public string request_id { get; set; } = "";
        public long row { get; set; }
        public string version { get; set; } = "";
        public double? input_X { get; set; }
        public double? output_Probability { get; set; }
        public bool? output_PredictedLabel { get; set; }
    }

    [Fact]
    public async Task InferenceLog_WhenFull_DropsAndCountsRows()
    {
        using var folder = new TempFolder();
        var log = new InferenceLog(folder.File("log"), capacity: 1, flushEvery: TimeSpan.FromSeconds(5));
        var row = new Dictionary<string, object?> { ["X"] = 1.0 };
        for (var i = 0; i < 1000; i++) log.Append(new InferenceEntry(i.ToString(), 1, "m", "1", "mlflow", [row], [row], 0.1));
        Assert.True(log.Dropped > 0);
        await log.DisposeAsync();
    }
}
