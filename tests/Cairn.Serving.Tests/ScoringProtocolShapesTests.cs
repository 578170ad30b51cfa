using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Models;
using Cairn.Testing;
using Google.Protobuf;
using Microsoft.ML;
using Onnx;

namespace Cairn.Serving.Tests;

/// <summary>
/// What MLflow's, SageMaker's, Azure ML's and KServe V1's clients expect, over a socket, against
/// three models: a classifier with several outputs and a regressor with one (column-based
/// signatures, ML.NET), and an ONNX graph with tensor inputs and outputs (a tensor-based signature).
/// </summary>
public sealed class ScoringModels : IAsyncLifetime
{
    private sealed class Sample
    {
        public float X { get; set; }
        public float Y { get; set; }
        public float Target { get; set; }
    }

    private readonly TempFolder _folder = new();
    private readonly List<StartedModelServer> _servers = [];
    public LoadedModel Classifier { get; private set; } = null!;
    public LoadedModel Regressor { get; private set; } = null!;
    public HttpClient Classify { get; private set; } = null!;
    public HttpClient Regress { get; private set; } = null!;
    public HttpClient Tensor { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var ml = new MLContext(seed: 7);
        using var cairn = CairnClient.Open(_folder.File("store"));

        var points = ColoredPoint.Generate(300, seed: 7);
        var pointData = ml.Data.LoadFromEnumerable(points);
        var classifier = ml.Transforms.Categorical.OneHotEncoding("ColorCode", "Color")
            .Append(ml.Transforms.Concatenate("Features", "X", "Y", "ColorCode"))
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label")).Fit(pointData);
        using (var run = cairn.StartRun("points"))
            Classifier = await cairn.LoadModelAsync(run.LogModel("model", ml, classifier, pointData.Schema, labelColumn: "Label").ModelUri);

        var samples = Enumerable.Range(0, 200).Select(i => new Sample { X = i / 200f, Y = (i % 7) / 7f, Target = 1 + i / 100f + (i % 7) / 14f }).ToList();
        var sampleData = ml.Data.LoadFromEnumerable(samples);
        var regressor = ml.Transforms.Concatenate("Features", "X", "Y").Append(ml.Regression.Trainers.LbfgsPoissonRegression("Target")).Fit(sampleData);
        using (var run = cairn.StartRun("samples"))
            Regressor = await cairn.LoadModelAsync(run.LogModel("model", ml, regressor, sampleData.Schema, labelColumn: "Target").ModelUri);

        File.WriteAllBytes(_folder.File("softmax.onnx"), SoftmaxGraph().ToByteArray());
        Classify = await Start(new ServedModel("points", "1", Classifier));
        Regress = await Start(new ServedModel("target", "1", Regressor));
        Tensor = await Start(new ServedModel("softmax", "1", new OnnxPredictor(_folder.File("softmax.onnx")), new BatchingOptions()));
    }

    private async Task<HttpClient> Start(ServedModel model)
    {
        var server = await StartedModelServer.StartAsync(new ModelServerOptions(new ModelHost(model)) { VertexHealthRoute = "/vx/health", VertexPredictRoute = "/vx/predict" });
        _servers.Add(server);
        return server.Http;
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers) await server.DisposeAsync();
        Classifier.Dispose();
        Regressor.Dispose();
        _folder.Dispose();
    }

    /// <summary>x: float [N, 2] → probability = Softmax(x) [N, 2], label = ArgMax(x) int64 [N].</summary>
    private static ModelProto SoftmaxGraph()
    {
        var model = new ModelProto { IrVersion = 8 };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 15 });
        var graph = new GraphProto { Name = "softmax" };
        graph.Input.Add(TensorInfo("x", TensorProto.Types.DataType.Float, 2));
        var softmax = new NodeProto { OpType = "Softmax", Name = "softmax" };
        softmax.Input.Add("x");
        softmax.Output.Add("probability");
        softmax.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        var argmax = new NodeProto { OpType = "ArgMax", Name = "argmax" };
        argmax.Input.Add("x");
        argmax.Output.Add("label");
        argmax.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        argmax.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        graph.Node.Add(softmax);
        graph.Node.Add(argmax);
        graph.Output.Add(TensorInfo("probability", TensorProto.Types.DataType.Float, 2));
        graph.Output.Add(TensorInfo("label", TensorProto.Types.DataType.Int64, null));
        model.Graph = graph;
        return model;
    }

    private static ValueInfoProto TensorInfo(string name, TensorProto.Types.DataType type, int? width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        if (width is { } w) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = w });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

}

/// <summary>Each item of issue 19's scoring part against <see cref="ScoringModels"/>: every test sends a request over the socket.</summary>
public sealed class ScoringProtocolShapesTests(ScoringModels models) : IClassFixture<ScoringModels>
{
    private readonly HttpClient _classify = models.Classify, _regress = models.Regress, _tensor = models.Tensor;

    private float Probability(float x, float y, string color) =>
        (float)models.Classifier.Predict(new Dictionary<string, object?> { ["X"] = x, ["Y"] = y, ["Color"] = color })["Probability"]!;

    private float Target(float x, float y) =>
        (float)models.Regressor.Predict(new Dictionary<string, object?> { ["X"] = x, ["Y"] = y })["Score"]!;

    private static async Task<(HttpStatusCode Status, string Body, string? MediaType)> Send(HttpClient http, string path, string body, string contentType = "application/json", string? accept = null)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<JsonNode> Json(HttpClient http, string path, string body, string contentType = "application/json")
    {
        var (status, text, _) = await Send(http, path, body, contentType);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {(int)status} {text}");
        return JsonNode.Parse(text)!;
    }

    // 1. MLflow's output shapes, per kind of signature.

    [Fact]
    public async Task Mlflow_OneOutputColumnSignature_AnswersAListOfValues()
    {
        var json = await Json(_regress, "/invocations", """{"dataframe_records": [{"X": 0.5, "Y": 0.25}, {"X": 0.1, "Y": 0.5}]}""");

        var predictions = json["predictions"]!.AsArray();
        Assert.Equal(2, predictions.Count);
        Assert.Equal(Target(0.5f, 0.25f), predictions[0]!.GetValue<float>(), 4);
        Assert.Equal(Target(0.1f, 0.5f), predictions[1]!.GetValue<float>(), 4);
    }

    [Fact]
    public async Task Mlflow_SeveralOutputsColumnSignature_AnswersRecords()
    {
        var json = await Json(_classify, "/invocations", """{"dataframe_split": {"columns": ["X", "Y", "Color"], "data": [[0.9, 0.8, "red"], [0.1, 0.2, "blue"]]}}""");

        var predictions = json["predictions"]!.AsArray();
        Assert.Equal(Probability(0.1f, 0.2f, "blue"), predictions[1]!["Probability"]!.GetValue<float>(), 5);
        Assert.Equal(["PredictedLabel", "Probability", "Score"], predictions[0]!.AsObject().Select(p => p.Key).Order());
    }

    [Fact]
    public async Task Mlflow_TensorSignature_AnswersADictionaryOfOutputs()
    {
        var json = await Json(_tensor, "/invocations", """{"inputs": {"x": [[1.0, 3.0], [2.0, 0.0]]}}""");

        var predictions = json["predictions"]!.AsObject();
        Assert.Equal(["label", "probability"], predictions.Select(p => p.Key).Order());
        Assert.Equal([1L, 0L], predictions["label"]!.AsArray().Select(v => v!.GetValue<long>()));
        var probability = predictions["probability"]!.AsArray();
        Assert.Equal(2, probability.Count);
        Assert.Equal(1 / (1 + Math.Exp(-2)), probability[0]![1]!.GetValue<double>(), 5);
        Assert.Equal(1 / (1 + Math.Exp(-2)), probability[1]![0]!.GetValue<double>(), 5);
    }

    [Fact]
    public async Task Mlflow_TensorSignature_Instances_AnswerTheSameDictionary()
    {
        var json = await Json(_tensor, "/invocations", """{"instances": [[1.0, 3.0], [2.0, 0.0]]}""");
        Assert.Equal([1L, 0L], json["predictions"]!["label"]!.AsArray().Select(v => v!.GetValue<long>()));
    }

    // 2. Content types and charsets, refused as MLflow refuses them.

    [Theory]
    [InlineData("application/xml", "This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got 'application/xml'.")]
    [InlineData("text/plain", "This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got 'text/plain'.")]
    [InlineData("application/json; charset=latin-1", "The scoring server only supports UTF-8")]
    [InlineData("text/csv; charset=utf-16", "The scoring server only supports UTF-8")]
    [InlineData("application/json; format=pandas-split", "Unrecognized content type parameters: format.")]
    public async Task Mlflow_UnsupportedContentTypeOrCharset_Is415WithMlflowsPlainTextMessage(string contentType, string message)
    {
        var (status, body, mediaType) = await Send(_classify, "/invocations", """{"dataframe_records": [{"X": 0.9, "Y": 0.8, "Color": "red"}]}""", contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("text/plain", mediaType);
        Assert.StartsWith(message, body);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("Application/JSON")]
    public async Task Mlflow_JsonWithUtf8_IsAccepted(string contentType)
    {
        var (status, body, _) = await Send(_classify, "/invocations", """{"dataframe_records": [{"X": 0.9, "Y": 0.8, "Color": "red"}]}""", contentType);
        Assert.True(status == HttpStatusCode.OK, body);
    }

    [Fact]
    public async Task Score_UnsupportedContentType_Is415Too()
    {
        var (status, body, _) = await Send(_classify, "/score", """{"input_data": [[0.9, 0.8, "red"]]}""", "application/json; charset=iso-8859-1");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("The scoring server only supports UTF-8", body);
    }

    // 3. Duplicate columns and CSV without a header row.

    [Theory]
    [InlineData("X,Y,X,Color\n0.9,0.8,0.7,red\n", "text/csv")]
    [InlineData("""{"dataframe_split": {"columns": ["X", "Y", "X", "Color"], "data": [[0.9, 0.8, 0.7, "red"]]}}""", "application/json")]
    [InlineData("""{"dataframe_records": [{"X": 0.9, "Y": 0.8, "X": 0.7, "Color": "red"}]}""", "application/json")]
    [InlineData("""{"inputs": {"X": [0.9], "Y": [0.8], "X": [0.7], "Color": ["red"]}}""", "application/json")]
    [InlineData("""{"instances": [{"X": 0.9, "Y": 0.8, "X": 0.7, "Color": "red"}]}""", "application/json")]
    public async Task DuplicateColumn_Is400NamingIt(string body, string contentType)
    {
        var (status, text, _) = await Send(_classify, "/invocations", body, contentType);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("column 'X' more than once", JsonNode.Parse(text)!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Csv_WithoutAHeaderRow_IsReadInTheSignaturesColumnOrder()
    {
        var json = await Json(_classify, "/invocations", "0.9,0.8,red\r\n0.1,0.2,blue\r\n", "text/csv");

        var predictions = json["predictions"]!.AsArray();
        Assert.Equal(2, predictions.Count);
        Assert.Equal(Probability(0.9f, 0.8f, "red"), predictions[0]!["Probability"]!.GetValue<float>(), 5);
        Assert.Equal(Probability(0.1f, 0.2f, "blue"), predictions[1]!["Probability"]!.GetValue<float>(), 5);
    }

    [Fact]
    public async Task Csv_HeaderInAnotherOrder_AndQuotedValues_AreRead()
    {
        var json = await Json(_classify, "/invocations", "\"Color\",Y,X\n\"red\",0.8,0.9\n", "text/csv");
        Assert.Equal(Probability(0.9f, 0.8f, "red"), json["predictions"]![0]!["Probability"]!.GetValue<float>(), 5);
    }

    [Fact]
    public async Task Csv_FirstRowNeitherNamesNorValues_IsAHeader_AndTheMissingInputIsA400()
    {
        // "high" is no number: the row cannot be data, so it is a header naming no input of the model.
        var (status, text, _) = await Send(_classify, "/invocations", "0.9,high,red\n0.1,0.2,blue\n", "text/csv");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Missing input", text);
    }

    [Fact]
    public async Task MoreThanOneInputFormat_Is400()
    {
        var (status, text, _) = await Send(_classify, "/invocations", """{"instances": [[0.9, 0.8, "red"]], "dataframe_records": [{"X": 0.9, "Y": 0.8, "Color": "red"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("exactly one of", text);
    }

    // 4. SageMaker: Accept: text/csv answers one line per row.

    [Fact]
    public async Task SageMaker_AcceptCsv_AnswersOneLinePerRow()
    {
        var (status, body, mediaType) = await Send(_regress, "/invocations", "0.5,0.25\n0.1,0.5\n", "text/csv", accept: "text/csv");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/csv", mediaType);
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal(Target(0.5f, 0.25f), float.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture), 4);
        Assert.Equal(Target(0.1f, 0.5f), float.Parse(lines[1], System.Globalization.CultureInfo.InvariantCulture), 4);
    }

    [Fact]
    public async Task SageMaker_AcceptCsv_SeveralOutputs_AreCellsOfTheLine()
    {
        var (status, body, _) = await Send(_classify, "/invocations", """{"instances": [[0.9, 0.8, "red"]]}""", accept: "text/csv, application/json;q=0.5");

        Assert.Equal(HttpStatusCode.OK, status);
        var cells = Assert.Single(body.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Split(',');
        Assert.Equal(3, cells.Length);
        Assert.Equal("true", cells[0]);
        Assert.Equal(Probability(0.9f, 0.8f, "red"), float.Parse(cells[2], System.Globalization.CultureInfo.InvariantCulture), 5);
    }

    [Fact]
    public async Task SageMaker_AcceptJsonOrAnything_AnswersJson()
    {
        var (_, json, jsonType) = await Send(_regress, "/invocations", "0.5,0.25\n", "text/csv", accept: "application/json");
        var (_, any, anyType) = await Send(_regress, "/invocations", "0.5,0.25\n", "text/csv", accept: "*/*");

        Assert.Equal("application/json", jsonType);
        Assert.Equal("application/json", anyType);
        Assert.NotNull(JsonNode.Parse(json)!["predictions"]);
        Assert.NotNull(JsonNode.Parse(any)!["predictions"]);
    }

    // 5. Azure ML: input_data (split orientation or a list) and data.

    [Theory]
    [InlineData("""{"input_data": {"columns": ["X", "Y", "Color"], "index": [0, 1], "data": [[0.9, 0.8, "red"], [0.1, 0.2, "blue"]]}}""")]
    [InlineData("""{"input_data": [[0.9, 0.8, "red"], [0.1, 0.2, "blue"]]}""")]
    [InlineData("""{"input_data": [{"X": 0.9, "Y": 0.8, "Color": "red"}, {"X": 0.1, "Y": 0.2, "Color": "blue"}]}""")]
    [InlineData("""{"data": [[0.9, 0.8, "red"], [0.1, 0.2, "blue"]]}""")]
    public async Task Azure_InputDataAndData_AnswerThePredictionsThemselves(string body)
    {
        var json = await Json(_classify, "/score", body);

        var predictions = json.AsArray();
        Assert.Equal(Probability(0.9f, 0.8f, "red"), predictions[0]!["Probability"]!.GetValue<float>(), 5);
        Assert.Equal(Probability(0.1f, 0.2f, "blue"), predictions[1]!["Probability"]!.GetValue<float>(), 5);
    }

    [Fact]
    public async Task Azure_OneOutputModel_AnswersAListOfValues()
    {
        var json = await Json(_regress, "/score", """{"input_data": {"columns": ["X", "Y"], "index": [0], "data": [[0.5, 0.25]]}}""");
        Assert.Equal(Target(0.5f, 0.25f), Assert.Single(json.AsArray())!.GetValue<float>(), 4);
    }

    [Fact]
    public async Task Azure_MlflowFormats_StillAnswerPredictions()
    {
        var json = await Json(_classify, "/score", """{"dataframe_records": [{"X": 0.9, "Y": 0.8, "Color": "red"}]}""");
        Assert.Equal(Probability(0.9f, 0.8f, "red"), json["predictions"]![0]!["Probability"]!.GetValue<float>(), 5);
    }

    // 6. KServe V1: GET / and TensorFlow Serving's row format.

    [Fact]
    public async Task Root_AnswersKServesAliveStatus_WhichAlsoServesAzuresLivenessProbe()
    {
        using var response = await _classify.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("alive", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/v1/models/target:predict")]
    [InlineData("/vx/predict")]
    public async Task RowFormat_OneOutputModel_EachPredictionIsTheValue(string path)
    {
        var json = await Json(_regress, path, """{"instances": [[0.5, 0.25], {"X": 0.1, "Y": 0.5}]}""");

        var predictions = json["predictions"]!.AsArray();
        Assert.Equal(Target(0.5f, 0.25f), predictions[0]!.GetValue<float>(), 4);
        Assert.Equal(Target(0.1f, 0.5f), predictions[1]!.GetValue<float>(), 4);
    }

    [Fact]
    public async Task KServeV1_SeveralOutputs_EachPredictionIsAnObjectOfOutputs()
    {
        var json = await Json(_tensor, "/v1/models/softmax:predict", """{"instances": [[1.0, 3.0], [2.0, 0.0]]}""");

        var predictions = json["predictions"]!.AsArray();
        Assert.Equal(1L, predictions[0]!["label"]!.GetValue<long>());
        Assert.Equal(2, predictions[1]!["probability"]!.AsArray().Count);
    }
}
