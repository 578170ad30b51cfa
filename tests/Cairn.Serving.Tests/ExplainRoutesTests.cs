using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Models;
using Cairn.Models.Explain;
using Cairn.Testing;
using Microsoft.ML;
using Parquet.Serialization;

namespace Cairn.Serving.Tests;

/// <summary>
/// The explain routes over a socket, with a real FastTree regressor on flight-like rows and the
/// explainer <see cref="ModelExplainers.Create"/> builds: values that add up to the prediction
/// returned beside them, 404 when explanations are off, 413 past the row limit, a 500 when the
/// explainer fails while <c>/infer</c> keeps answering, and SHAP values in the inference log.
/// </summary>
public sealed class ExplainRoutesTests : IAsyncLifetime
{
    /// <summary>A flight: two numbers and a category in, the delay out.</summary>
    public sealed class Flight
    {
        public float Distance { get; set; }
        public float Hour { get; set; }
        public string Carrier { get; set; } = "";
        public float Delay { get; set; }
    }

    private sealed class FailingExplainer : IModelExplainer
    {
        public string Method => ExplainMethods.Kernel;
        public IReadOnlyList<string> Features => ["Distance", "Hour", "Carrier"];
        public Explanation Explain(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows) => throw new InvalidOperationException("explainer broke");
        public void Dispose() { }
    }

    private sealed class Logged
    {
        public string protocol { get; set; } = "";
        public double? output_Score { get; set; }
        public double? output_shap_Distance { get; set; }
        public double? output_shap_Hour { get; set; }
        public double? output_shap_Carrier { get; set; }
        public double? output_shap_base_value { get; set; }
    }

    private static readonly string[] Carriers = ["AA", "DL", "UA"];
    private readonly TempFolder _folder = new();
    private IModelPredictor _predictor = null!;
    private InferenceLog _log = null!;
    private StartedModelServer _explaining = null!, _off = null!, _failing = null!;

    private static List<Flight> Flights(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var (distance, hour, carrier) = ((float)(100 + random.NextDouble() * 2000), (float)random.Next(5, 23), Carriers[random.Next(3)]);
            return new Flight { Distance = distance, Hour = hour, Carrier = carrier, Delay = distance / 100 + (hour > 17 ? 20 : 0) + (carrier == "UA" ? 8 : 0) };
        }).ToList();
    }

    private static IReadOnlyDictionary<string, object?> Row(Flight f) =>
        new Dictionary<string, object?> { ["Distance"] = f.Distance, ["Hour"] = f.Hour, ["Carrier"] = f.Carrier };

    public async Task InitializeAsync()
    {
        var ml = new MLContext(seed: 3);
        var flights = Flights(500, seed: 3);
        var data = ml.Data.LoadFromEnumerable(flights);
        var trained = ml.Transforms.Categorical.OneHotEncoding("CarrierCode", "Carrier")
            .Append(ml.Transforms.Concatenate("Features", "Distance", "Hour", "CarrierCode"))
            .Append(ml.Regression.Trainers.FastTree("Delay", numberOfLeaves: 8, numberOfTrees: 20)).Fit(data);
        using var cairn = CairnClient.Open(_folder.File("store"));
        string uri;
        using (var run = cairn.StartRun("flights")) uri = run.LogModel("model", ml, trained, data.Schema, flights.Take(2).ToList(), labelColumn: "Delay").ModelUri;
        var registry = new ModelRegistry(cairn);
        var (_, path) = await registry.ResolveAsync(uri);
        await registry.DownloadPackageAsync(path, _folder.File("pkg"));
        var package = ModelPackage.Open(_folder.File("pkg"));
        _predictor = ModelLoading.Load(package);
        var background = flights.Take(20).Select(Row).ToList();
        _log = new InferenceLog(_folder.File("log"), flushEvery: TimeSpan.FromMilliseconds(50));
        _explaining = await StartedModelServer.StartAsync(new ModelServerOptions(new ModelHost(new ServedModel("delay", "4", _predictor)
        {
            OwnsPredictor = false, Explainer = ModelExplainers.Create(package, background), ExplainLogRate = 1,
        })) { Log = _log });
        _off = await StartedModelServer.StartAsync(new ModelServerOptions(new ModelHost(new ServedModel("delay", "4", _predictor) { OwnsPredictor = false })));
        _failing = await StartedModelServer.StartAsync(new ModelServerOptions(new ModelHost(new ServedModel("delay", "4", _predictor)
        {
            OwnsPredictor = false, Explainer = new FailingExplainer(),
        })));
    }

    public async Task DisposeAsync()
    {
        await _explaining.DisposeAsync();
        await _off.DisposeAsync();
        await _failing.DisposeAsync();
        await _log.DisposeAsync();
        _predictor.Dispose();
        _folder.Dispose();
    }

    private static string OipRequest(params (float Distance, float Hour, string Carrier)[] rows) => $$"""
        {"id": "explain-1", "inputs": [
          {"name": "Distance", "shape": [{{rows.Length}}], "datatype": "FP32", "data": [{{string.Join(", ", rows.Select(r => r.Distance.ToString(System.Globalization.CultureInfo.InvariantCulture)))}}]},
          {"name": "Hour", "shape": [{{rows.Length}}], "datatype": "FP32", "data": [{{string.Join(", ", rows.Select(r => r.Hour.ToString(System.Globalization.CultureInfo.InvariantCulture)))}}]},
          {"name": "Carrier", "shape": [{{rows.Length}}], "datatype": "BYTES", "data": [{{string.Join(", ", rows.Select(r => $"\"{r.Carrier}\""))}}]}]}
        """;

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> Post(HttpClient http, string path, string body)
    {
        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static JsonNode Output(JsonNode body, string name) => body["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == name)!;

    [Theory]
    [InlineData("/v2/models/delay/explain")]
    [InlineData("/v2/models/delay/versions/4/explain")]
    public async Task OipExplain_ReturnsThePredictionAndShapValuesThatAddUpToIt(string route)
    {
        var (status, body) = await Post(_explaining.Http, route, OipRequest((1500, 19, "UA"), (300, 8, "AA")));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("explain-1", body!["id"]!.GetValue<string>());
        var parameters = body["parameters"]!;
        Assert.Equal(ExplainMethods.TreeInterventional, parameters["method"]!.GetValue<string>());
        Assert.Equal("Score", parameters["output"]!.GetValue<string>());
        var baseValue = parameters["base_value"]![0]!.GetValue<double>();
        var scores = Output(body, "Score")["data"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        var shap = Output(body, ServingApi.ShapValuesOutput);
        Assert.Equal("FP64", shap["datatype"]!.GetValue<string>());
        Assert.Equal([2L, 3L], shap["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        Assert.Equal(["Distance", "Hour", "Carrier"], Output(body, ServingApi.FeatureNamesOutput)["data"]!.AsArray().Select(f => f!.GetValue<string>()));
        var values = shap["data"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        for (var r = 0; r < 2; r++) Assert.Equal(scores[r], baseValue + values.Skip(3 * r).Take(3).Sum(), 3);
        // The long evening flight is later than the short morning one, and the explanation says why: distance and hour push it up.
        Assert.True(values[0] > values[3] && values[1] > values[4]);
    }

    [Fact]
    public async Task KServeV1Explain_ReturnsExplanationsPerInstanceThatAddUpToThePredictions()
    {
        var (status, body) = await Post(_explaining.Http, "/v1/models/delay:explain",
            """{"instances": [{"Distance": 1500, "Hour": 19, "Carrier": "UA"}, {"Distance": 300, "Hour": 8, "Carrier": "AA"}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var explanations = body!["explanations"]!.AsArray();
        var predictions = body["predictions"]!.AsArray();
        Assert.Equal(2, explanations.Count);
        for (var r = 0; r < 2; r++)
        {
            var e = explanations[r]!;
            var values = e["values"]!.AsObject();
            Assert.Equal(["Distance", "Hour", "Carrier"], values.Select(p => p.Key));
            // One output: the row format gives its value alone.
            var score = (predictions[r] is JsonObject o ? o["Score"]! : predictions[r]!).GetValue<double>();
            Assert.Equal(score, e["output"]!.GetValue<double>(), 3);
            Assert.Equal(score, e["base_value"]!.GetValue<double>() + values.Sum(p => p.Value!.GetValue<double>()), 3);
        }
    }

    [Theory]
    [InlineData("/v2/models/delay/explain")]
    [InlineData("/v1/models/delay:explain")]
    public async Task Explain_WhenExplanationsAreOff_Is404SayingHowToTurnThemOn(string route)
    {
        var body = route.StartsWith("/v2") ? OipRequest((1500, 19, "UA")) : """{"instances": [{"Distance": 1500, "Hour": 19, "Carrier": "UA"}]}""";

        var (status, json) = await Post(_off.Http, route, body);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("--explain", json!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Explain_MoreRowsThanTheLimit_Is413()
    {
        var rows = Enumerable.Range(0, ServingApi.MaxExplainRows + 1).Select(i => (100f + i, 10f, "AA")).ToArray();

        var (status, json) = await Post(_explaining.Http, "/v2/models/delay/explain", OipRequest(rows));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains($"at most {ServingApi.MaxExplainRows} rows", json!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Explain_WhenTheExplainerFails_Is500WithAMessage_AndInferStillAnswers()
    {
        var (status, json) = await Post(_failing.Http, "/v2/models/delay/explain", OipRequest((1500, 19, "UA")));
        var (kserveStatus, _) = await Post(_failing.Http, "/v1/models/delay:explain", """{"instances": [{"Distance": 1500, "Hour": 19, "Carrier": "UA"}]}""");
        var (inferStatus, inferred) = await Post(_failing.Http, "/v2/models/delay/infer", OipRequest((1500, 19, "UA")));

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains("explainer failed", json!["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.InternalServerError, kserveStatus);
        Assert.Equal(HttpStatusCode.OK, inferStatus);
        var expected = (float)_predictor.Predict([Row(new Flight { Distance = 1500, Hour = 19, Carrier = "UA" })])[0]["Score"]!;
        Assert.Equal(expected, Output(inferred!, "Score")["data"]![0]!.GetValue<float>(), 4);
    }

    [Fact]
    public async Task Explain_ARowWithoutAnInput_Is400()
    {
        var (status, json) = await Post(_explaining.Http, "/v1/models/delay:explain", """{"instances": [{"Distance": 1500, "Hour": 19}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Carrier", json!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task InferenceLog_WithAnExplainLogRate_HasShapColumnsThatAddUpToTheLoggedScore()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Post(_explaining.Http, "/v2/models/delay/infer", OipRequest((1500, 19, "UA"), (300, 8, "AA")))).Status);
            Assert.Equal(HttpStatusCode.OK, (await Post(_explaining.Http, "/v1/models/delay:predict", """{"instances": [{"Distance": 900, "Hour": 12, "Carrier": "DL"}]}""")).Status);
        }

        List<Logged> explained = [];
        for (var wait = 0; wait < 200 && explained.Count == 0; wait++)
        {
            await Task.Delay(50);
            explained = (await ReadLog()).Where(r => r.output_shap_Distance is not null).ToList();
        }

        Assert.NotEmpty(explained);
        foreach (var row in explained)
            Assert.Equal(row.output_Score!.Value,
                row.output_shap_base_value!.Value + row.output_shap_Distance!.Value + row.output_shap_Hour!.Value + row.output_shap_Carrier!.Value, 3);
    }

    private async Task<List<Logged>> ReadLog()
    {
        var rows = new List<Logged>();
        foreach (var file in Directory.GetFiles(_log.Folder, "*.parquet", SearchOption.AllDirectories))
        {
            await using var stream = File.OpenRead(file);
            rows.AddRange((await ParquetSerializer.DeserializeAsync<Logged>(stream)).Data);
        }
        return rows;
    }
}
