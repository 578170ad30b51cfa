using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Models;
using Cairn.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.ML;

namespace Cairn.Serving.Tests;

/// <summary>Every protocol against a real Kestrel server over a socket, with a real ML.NET model.</summary>
public class ServingProtocolTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private LoadedModel _model = null!;

    public async Task InitializeAsync()
    {
        var ml = new MLContext(seed: 5);
        var points = ColoredPoint.Generate(400, seed: 5);
        var data = ml.Data.LoadFromEnumerable(points);
        var model = ml.Transforms.Categorical.OneHotEncoding("ColorCode", "Color")
            .Append(ml.Transforms.Concatenate("Features", "X", "Y", "ColorCode"))
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label")).Fit(data);
        using var cairn = CairnClient.Open(_folder.File("store"));
        string uri;
        using (var run = cairn.StartRun("points")) uri = run.LogModel("model", ml, model, data.Schema, points.Take(2).ToList(), labelColumn: "Label").ModelUri;
        _model = await cairn.LoadModelAsync(uri);
        var host = new ModelHost(new ServedModel("points", "3", _model));
        _app = ModelServer.Build(new ModelServerOptions(host) { Port = 0, VertexHealthRoute = "/vx/health", VertexPredictRoute = "/vx/predict" });
        await _app.StartAsync();
        var address = _app.Services.GetService(typeof(Microsoft.AspNetCore.Hosting.Server.IServer)) as Microsoft.AspNetCore.Hosting.Server.IServer;
        var url = address!.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(url) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _model.Dispose();
        _folder.Dispose();
    }

    private float Expected(float x, float y, string color) =>
        (float)_model.Predict(new Dictionary<string, object?> { ["X"] = x, ["Y"] = y, ["Color"] = color })["Probability"]!;

    private async Task<(HttpStatusCode Status, JsonNode? Body)> Post(string path, string body, string type = "application/json")
    {
        using var response = await _http.PostAsync(path, new StringContent(body, Encoding.UTF8, type));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static float Probability(JsonNode? prediction) => prediction!["Probability"]!.GetValue<float>();

    [Theory]
    [InlineData("""{"dataframe_split": {"columns": ["X", "Y", "Color"], "data": [[0.9, 0.8, "red"], [0.1, 0.2, "blue"]]}}""")]
    [InlineData("""{"dataframe_records": [{"X": 0.9, "Y": 0.8, "Color": "red"}, {"X": 0.1, "Y": 0.2, "Color": "blue"}]}""")]
    [InlineData("""{"instances": [{"X": 0.9, "Y": 0.8, "Color": "red"}, {"X": 0.1, "Y": 0.2, "Color": "blue"}]}""")]
    [InlineData("""{"instances": [[0.9, 0.8, "red"], [0.1, 0.2, "blue"]]}""")]
    [InlineData("""{"inputs": {"X": [0.9, 0.1], "Y": [0.8, 0.2], "Color": ["red", "blue"]}}""")]
    public async Task MlflowInvocations_EveryJsonFormat_ScoresLikeTheModel(string body)
    {
        var (status, json) = await Post("/invocations", body);

        Assert.Equal(HttpStatusCode.OK, status);
        var predictions = json!["predictions"]!.AsArray();
        Assert.Equal(Expected(0.9f, 0.8f, "red"), Probability(predictions[0]), 5);
        Assert.Equal(Expected(0.1f, 0.2f, "blue"), Probability(predictions[1]), 5);
    }

    [Fact]
    public async Task MlflowInvocations_Csv_ScoresLikeTheModel()
    {
        var (status, json) = await Post("/invocations", "X,Y,Color\n0.9,0.8,red\n0.1,0.2,blue\n", "text/csv");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Expected(0.1f, 0.2f, "blue"), Probability(json!["predictions"]![1]), 5);
    }

    [Theory]
    [InlineData("/ping")]
    [InlineData("/health")]
    [InlineData("/version")]
    [InlineData("/")]
    [InlineData("/vx/health")]
    public async Task HealthRoutes_Answer200(string path)
    {
        using var response = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AzureScore_And_VertexPredict_UseTheirShapes()
    {
        var azure = await Post("/score", """{"dataframe_records": [{"X": 0.9, "Y": 0.8, "Color": "red"}]}""");
        var vertex = await Post("/vx/predict", """{"instances": [{"X": 0.9, "Y": 0.8, "Color": "red"}]}""");
        var vertexWrong = await Post("/vx/predict", """{"dataframe_records": []}""");

        Assert.Equal(Expected(0.9f, 0.8f, "red"), Probability(azure.Body!["predictions"]![0]), 5);
        Assert.Equal(Expected(0.9f, 0.8f, "red"), Probability(vertex.Body!["predictions"]![0]), 5);
        Assert.Equal(HttpStatusCode.BadRequest, vertexWrong.Status);
    }

    [Fact]
    public async Task KServeV1_ListsTheModel_SaysItIsReady_AndPredictsInstancesOrInputs()
    {
        var models = JsonNode.Parse(await _http.GetStringAsync("/v1/models"))!;
        var ready = JsonNode.Parse(await _http.GetStringAsync("/v1/models/points"))!;
        var instances = await Post("/v1/models/points:predict", """{"instances": [{"X": 0.9, "Y": 0.8, "Color": "red"}, [0.1, 0.2, "blue"]]}""");
        var inputs = await Post("/v1/models/points:predict", """{"inputs": {"X": [0.1], "Y": [0.2], "Color": ["blue"]}}""");
        var unknown = await Post("/v1/models/other:predict", """{"instances": []}""");
        using var unknownReady = await _http.GetAsync("/v1/models/other");
        var wrongShape = await Post("/v1/models/points:predict", """{"dataframe_records": []}""");
        var metrics = await _http.GetStringAsync("/metrics");

        Assert.Equal(["points"], models["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("points", ready["name"]!.GetValue<string>());
        Assert.True(ready["ready"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, instances.Status);
        Assert.Equal(Expected(0.9f, 0.8f, "red"), Probability(instances.Body!["predictions"]![0]), 5);
        Assert.Equal(Expected(0.1f, 0.2f, "blue"), Probability(instances.Body["predictions"]![1]), 5);
        Assert.Equal(Expected(0.1f, 0.2f, "blue"), Probability(inputs.Body!["predictions"]![0]), 5);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(HttpStatusCode.NotFound, unknownReady.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongShape.Status);
        Assert.Contains("KServe V1", wrongShape.Body!.ToJsonString());
        Assert.Contains("protocol=\"kserve-v1\"", metrics);
    }

    [Fact]
    public async Task OpenInference_HealthMetadataReadyAndInfer()
    {
        Assert.True(JsonNode.Parse(await _http.GetStringAsync("/v2/health/live"))!["live"]!.GetValue<bool>());
        Assert.True(JsonNode.Parse(await _http.GetStringAsync("/v2/health/ready"))!["ready"]!.GetValue<bool>());
        var metadata = JsonNode.Parse(await _http.GetStringAsync("/v2/models/points"))!;
        Assert.Equal("points", metadata["name"]!.GetValue<string>());
        Assert.Equal("3", metadata["versions"]![0]!.GetValue<string>());
        Assert.Contains(metadata["inputs"]!.AsArray(), i => i!["name"]!.GetValue<string>() == "Color" && i["datatype"]!.GetValue<string>() == "BYTES");
        Assert.True(JsonNode.Parse(await _http.GetStringAsync("/v2/models/points/versions/3/ready"))!["ready"]!.GetValue<bool>());

        var (status, json) = await Post("/v2/models/points/infer", """
            {"id": "req-1", "inputs": [
              {"name": "X", "shape": [2, 1], "datatype": "FP32", "data": [0.9, 0.1]},
              {"name": "Y", "shape": [2], "datatype": "FP32", "data": [0.8, 0.2]},
              {"name": "Color", "shape": [2], "datatype": "BYTES", "data": ["red", "blue"]}],
             "outputs": [{"name": "Probability"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("req-1", json!["id"]!.GetValue<string>());
        Assert.Equal("points", json["model_name"]!.GetValue<string>());
        var output = Assert.Single(json["outputs"]!.AsArray())!;
        Assert.Equal("Probability", output["name"]!.GetValue<string>());
        Assert.Equal("FP32", output["datatype"]!.GetValue<string>());
        Assert.Equal([2L], output["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        Assert.Equal(Expected(0.1f, 0.2f, "blue"), output["data"]![1]!.GetValue<float>(), 5);
    }

    [Fact]
    public async Task OpenInference_BinaryTensorData_ToAnMlnetModel()
    {
        // Y and Color as binary data after the JSON object (Y as FP32, its declared datatype), the output as binary too.
        var y = new[] { 0.8f, 0.2f }.SelectMany(BitConverter.GetBytes).ToArray();
        var color = new[] { "red", "blue" }.SelectMany(c => BitConverter.GetBytes(c.Length).Concat(Encoding.UTF8.GetBytes(c))).ToArray();
        var json = Encoding.UTF8.GetBytes($$$"""
            {"inputs": [
              {"name": "X", "shape": [2], "datatype": "FP32", "data": [0.9, 0.1]},
              {"name": "Y", "shape": [2], "datatype": "FP32", "parameters": {"binary_data_size": {{{y.Length}}}}},
              {"name": "Color", "shape": [2], "datatype": "BYTES", "parameters": {"binary_data_size": {{{color.Length}}}}}],
             "outputs": [{"name": "Probability", "parameters": {"binary_data": true}}]}
            """);
        var content = new ByteArrayContent([.. json, .. y, .. color]);
        content.Headers.Add(Protocols.BinaryTensorData.HeaderLength, json.Length.ToString());

        using var response = await _http.PostAsync("/v2/models/points/infer", content);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var jsonLength = int.Parse(response.Headers.GetValues(Protocols.BinaryTensorData.HeaderLength).Single());
        var output = Assert.Single(JsonNode.Parse(body.AsSpan(0, jsonLength))!["outputs"]!.AsArray())!;
        Assert.Equal(8, output["parameters"]!["binary_data_size"]!.GetValue<int>());
        Assert.Equal(Expected(0.1f, 0.2f, "blue"), BitConverter.ToSingle(body, jsonLength + 4), 5);
    }

    [Theory]
    [InlineData("/v2/models/other/infer", """{"inputs": []}""", HttpStatusCode.NotFound, "not served here")]
    [InlineData("/v2/models/points/versions/9/infer", """{"inputs": []}""", HttpStatusCode.NotFound, "Version 9")]
    [InlineData("/v2/models/points/infer", """{"inputs": [{"name": "X", "shape": [2], "datatype": "FP32", "data": [1]}]}""", HttpStatusCode.BadRequest, "'X' has 1 values")]
    [InlineData("/v2/models/points/infer", """{"inputs": [{"name": "X", "shape": [1], "datatype": "FLOAT", "data": [1]}]}""", HttpStatusCode.BadRequest, "datatype 'FLOAT'")]
    [InlineData("/v2/models/points/infer", """{"inputs": [{"name": "X", "shape": [1], "datatype": "FP32", "data": [1]}]}""", HttpStatusCode.BadRequest, "Missing input 'Y'")]
    [InlineData("/invocations", """{"dataframe_records": [{"X": 0.9, "Y": "high", "Color": "red"}]}""", HttpStatusCode.BadRequest, "input 'Y'")]
    [InlineData("/invocations", """{"dataframe_records": [{"X": 0.9, "Color": "red"}]}""", HttpStatusCode.BadRequest, "Missing input 'Y'")]
    [InlineData("/invocations", """{"data": []}""", HttpStatusCode.BadRequest, "dataframe_split")]
    [InlineData("/invocations", """{not json""", HttpStatusCode.BadRequest, "Malformed JSON")]
    public async Task BadRequests_GetAClearErrorNamingTheField(string path, string body, HttpStatusCode expected, string message)
    {
        var (status, json) = await Post(path, body);
        Assert.Equal(expected, status);
        Assert.Contains(message, json!["error"]!.GetValue<string>());
        Assert.Contains(message, json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ErrorBody_Apostrophes_AreWrittenAsThemselves()
    {
        using var response = await _http.PostAsync("/v2/models/other/infer", new StringContent("""{"inputs": []}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Model 'other' is not served here", body); // readable with curl, not \u0027other\u0027
    }

    [Fact]
    public async Task UnsupportedContentType_Is415()
    {
        // MLflow's 415 is plain text, not JSON (ScoringProtocolShapesTests checks its wording).
        using var response = await _http.PostAsync("/invocations", new StringContent("<xml/>", Encoding.UTF8, "application/xml"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }
}
