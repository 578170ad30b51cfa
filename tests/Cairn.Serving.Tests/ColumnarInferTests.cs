using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Models;
using Cairn.Testing;
using Microsoft.ML;
using Parquet.Serialization;

namespace Cairn.Serving.Tests;

/// <summary>
/// Large OIP v2 requests to an ONNX model take the columnar path (typed arrays, no row
/// dictionaries): same answers as the model row by row, the same checks, and every row logged.
/// </summary>
public sealed partial class ColumnarInferTests : IAsyncLifetime
{
    private const int Rows = 600;
    private readonly TempFolder _folder = new();
    private readonly List<ColoredPoint> _points = ColoredPoint.Generate(Rows, seed: 5);
    private StartedModelServer _server = null!;
    private HttpClient _http = null!;
    private IModelPredictor _model = null!;
    private InferenceLog _log = null!;

    public async Task InitializeAsync()
    {
        var ml = new MLContext(seed: 5);
        var data = ml.Data.LoadFromEnumerable(_points);
        var trained = ml.Transforms.Categorical.OneHotEncoding("ColorCode", "Color")
            .Append(ml.Transforms.Concatenate("Features", "X", "Y", "ColorCode"))
            .Append(ml.BinaryClassification.Trainers.FastTree("Label", numberOfLeaves: 8, numberOfTrees: 20)).Fit(data);
        using var cairn = CairnClient.Open(_folder.File("store"));
        string uri;
        using (var run = cairn.StartRun("points")) uri = run.LogModel("model", ml, trained, data.Schema, _points.Take(2).ToList(), labelColumn: "Label").ModelUri;
        var registry = new ModelRegistry(cairn);
        var (_, path) = await registry.ResolveAsync(uri);
        await registry.DownloadPackageAsync(path, _folder.File("pkg"));
        OnnxExport.AddOnnxFlavor(ModelPackage.Open(_folder.File("pkg")));
        _model = ModelLoading.Load(ModelPackage.Open(_folder.File("pkg")), "onnx");
        _log = new InferenceLog(_folder.File("log"), flushEvery: TimeSpan.FromMilliseconds(100));
        var host = new ModelHost(new ServedModel("points", "4", ModelLoading.Load(ModelPackage.Open(_folder.File("pkg")), "onnx"), new BatchingOptions()));
        _server = await StartedModelServer.StartAsync(new ModelServerOptions(host) { Log = _log });
        _http = _server.Http;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _log.DisposeAsync();
        _model.Dispose();
        _folder.Dispose();
    }

    private string Request(int rows, string xType = "FP32", string? extra = null, bool nested = false)
    {
        var points = _points.Take(rows).ToList();
        string Data<T>(Func<ColoredPoint, T> value, bool quote) => nested
            ? "[" + string.Join(",", points.Select(p => $"[{(quote ? $"\"{value(p)}\"" : Convert.ToString(value(p), System.Globalization.CultureInfo.InvariantCulture))}]")) + "]"
            : "[" + string.Join(",", points.Select(p => quote ? $"\"{value(p)}\"" : Convert.ToString(value(p), System.Globalization.CultureInfo.InvariantCulture))) + "]";
        var shape = nested ? $"[{rows}, 1]" : $"[{rows}]";
        return $$"""{"id": "batch-1", "inputs": [{"name": "X", "shape": {{shape}}, "datatype": "{{xType}}", "data": {{Data(p => p.X, xType == "BYTES")}}}, {"name": "Y", "shape": {{shape}}, "datatype": "FP32", "data": {{Data(p => p.Y, false)}}}, {"name": "Color", "shape": {{shape}}, "datatype": "BYTES", "data": {{Data(p => p.Color, true)}}}]{{extra}}}""";
    }

    /// <summary>The model's probability for point <paramref name="i"/>, scored alone in process.</summary>
    private float ExpectedProbability(int i)
    {
        var p = _points[i];
        return (float)_model.Predict([new Dictionary<string, object?> { ["X"] = p.X, ["Y"] = p.Y, ["Color"] = p.Color }])[0]["Probability"]!;
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> Infer(string body)
    {
        using var response = await _http.PostAsync("/v2/models/points/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Infer_ManyRows_MatchesTheModelRowByRow(bool nested)
    {
        var (status, body) = await Infer(Request(Rows, nested: nested));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("batch-1", body!["id"]!.GetValue<string>());
        Assert.Equal("4", body["model_version"]!.GetValue<string>());
        var probability = body["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "Probability")!;
        Assert.Equal("FP32", probability["datatype"]!.GetValue<string>());
        Assert.Equal(Rows, probability["shape"]![0]!.GetValue<int>());
        var data = probability["data"]!.AsArray().Select(v => v!.GetValue<float>()).ToList();
        foreach (var i in new[] { 0, 1, 299, Rows - 1 })
        {
            Assert.Equal(ExpectedProbability(i), data[i], 1e-5f);
        }
        var label = body["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "PredictedLabel")!;
        Assert.Equal("BOOL", label["datatype"]!.GetValue<string>());
    }

    [Fact]
    public async Task Infer_AMidSizeJsonBody_IsReadAsColumns_ScoredAsRows_WithTheSameAnswers()
    {
        // Over 4 KB but under the columnar path's 256 rows: read without a document, then scored through the micro-batcher.
        const int rows = 200;
        var request = Request(rows);
        var (status, body) = await Infer(request);

        Assert.True(Encoding.UTF8.GetByteCount(request) >= 4096);
        Assert.Equal(HttpStatusCode.OK, status);
        var data = body!["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "Probability")!["data"]!.AsArray();
        Assert.Equal(rows, data.Count);
        foreach (var i in new[] { 0, 57, rows - 1 })
        {
            Assert.Equal(ExpectedProbability(i), data[i]!.GetValue<float>(), 1e-5f);
        }
    }

    [Theory]
    [InlineData("""{"inputs": [5]}""", "An input tensor has no 'name'")]
    [InlineData("""{"inputs": []}""", "has no 'inputs'")]
    [InlineData("""[1, 2]""", "must be a JSON object")]
    [InlineData("""{"inputs": [{"name": "X", "shape": [1], "datatype": "FP32", "data": [1]""", "Malformed inference request")]
    [InlineData("""{"inputs": [{"name": "X", "shape": [1], "datatype": "FP32", "data": [1]}]} {"more": 1}""", "Malformed inference request")]
    public async Task Infer_ALargeBodyThatIsNoRequest_Is400(string json, string expected)
    {
        // Padded past 4 KB with spaces, so that the columnar reader reads it.
        var (status, body) = await Infer(json + new string(' ', 5000));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Infer_ManyRows_RequestedOutputsOnly()
    {
        var (status, body) = await Infer(Request(Rows, extra: """, "outputs": [{"name": "Score"}]"""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["Score"], body!["outputs"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("BYTES", null, "Input 'X' has datatype BYTES, but the model expects FP32")]
    [InlineData("FP32", """, "outputs": [{"name": "Nope"}]""", "Unknown output 'Nope'")]
    public async Task Infer_ManyRows_BadTypeOrOutput_Is400NamingIt(string xType, string? extra, string expected)
    {
        var (status, body) = await Infer(Request(Rows, xType, extra));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Infer_ManyRows_MissingTensorOrShortData_Is400()
    {
        var missing = Request(Rows).Replace("""{"name": "Color",""", """{"name": "Colour",""");
        var (status, body) = await Infer(missing);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Missing input 'Color'", body!["message"]!.GetValue<string>());

        var shortData = Request(Rows).Replace($"\"shape\": [{Rows}], \"datatype\": \"FP32\", \"data\": [", $"\"shape\": [{Rows + 1}], \"datatype\": \"FP32\", \"data\": [");
        (status, body) = await Infer(shortData);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"has {Rows} values but its shape needs {Rows + 1}", body!["message"]!.GetValue<string>());

        var wrongValue = Request(Rows).Replace("\"data\": [0.", "\"data\": [\"oops\", 0.", StringComparison.Ordinal);
        (status, body) = await Infer(wrongValue);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Invalid value for input 'X' at position 0", body!["message"]!.GetValue<string>());
    }

    private sealed class Logged
    {
        public string request_id { get; set; } = "";
        public long row { get; set; }
        public double? input_X { get; set; }
        public string? input_Color { get; set; }
        public double? output_Probability { get; set; }
    }

    [Fact]
    public async Task Infer_ManyRows_EveryRowReachesTheInferenceLog()
    {
        var (status, _) = await Infer(Request(Rows).Replace("batch-1", "logged-batch"));
        Assert.Equal(HttpStatusCode.OK, status);

        var rows = new List<Logged>();
        for (var attempt = 0; attempt < 50 && rows.Count < Rows; attempt++)
        {
            await Task.Delay(100);
            rows.Clear();
            foreach (var file in Directory.Exists(_folder.File("log")) ? Directory.GetFiles(_folder.File("log"), "*.parquet", SearchOption.AllDirectories) : [])
            {
                await using var stream = File.OpenRead(file);
                rows.AddRange((await ParquetSerializer.DeserializeAsync<Logged>(stream)).Data.Where(r => r.request_id == "logged-batch"));
            }
        }
        Assert.Equal(Rows, rows.Count);
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => (long)i), rows.Select(r => r.row).Order());
        var tenth = rows.Single(r => r.row == 10);
        Assert.Equal(_points[10].X, (float)tenth.input_X!.Value, 1e-6f);
        Assert.Equal(_points[10].Color, tenth.input_Color);
        Assert.InRange(tenth.output_Probability!.Value, 0, 1);
    }
}
