using System.Net;
using System.Text.Json.Nodes;

namespace Cairn.Serving.Tests.MissingValues;

/// <summary>
/// Missing values as users send them (JSON null, the string "NaN", an empty CSV cell) reach a float
/// input as NaN on every scoring route, and score as double.NaN does in process; a missing value
/// for an integer input is a 400 naming the column.
/// </summary>
public sealed class MissingValueRouteTests(QuakeModelServer server) : IClassFixture<QuakeModelServer>
{
    [Theory]
    [InlineData("/invocations", """{"dataframe_split": {"columns": ["Depth", "Stations", "Region"], "data": [[null, 20, "north"], ["NaN", 20, "north"]]}}""")]
    [InlineData("/invocations", """{"dataframe_records": [{"Depth": null, "Stations": 20, "Region": "north"}, {"Depth": "NaN", "Stations": 20, "Region": "north"}]}""")]
    [InlineData("/invocations", """{"instances": [[null, 20, "north"], {"Depth": "nan", "Stations": 20, "Region": "north"}]}""")]
    [InlineData("/invocations", """{"inputs": {"Depth": [null, "NaN"], "Stations": [20, 20], "Region": ["north", "north"]}}""")]
    [InlineData("/score", """{"input_data": {"columns": ["Depth", "Stations", "Region"], "data": [[null, 20, "north"], ["NaN", 20, "north"]]}}""")]
    [InlineData("/score", """{"dataframe_records": [{"Depth": null, "Stations": 20, "Region": "north"}, {"Depth": "NaN", "Stations": 20, "Region": "north"}]}""")]
    [InlineData("/v1/models/quakes:predict", """{"instances": [{"Depth": null, "Stations": 20, "Region": "north"}, {"Depth": "NaN", "Stations": 20, "Region": "north"}]}""")]
    public async Task NullAndNaN_ForAFloatInput_ScoreAsNaNDoesInProcess(string path, string body)
    {
        var (status, text) = await server.PostAsync(path, body);

        Assert.True(status == HttpStatusCode.OK, $"{path}: {(int)status} {text}");
        var expected = server.Expected(float.NaN, 20, "north");
        Assert.All(Scores(JsonNode.Parse(text)!), score => Assert.Equal(expected, score, 5));
    }

    [Theory]
    [InlineData("Depth,Stations,Region\n,20,north\nNaN,20,north\nnan,20,north\n")]
    [InlineData(",20,north\nNaN,20,north\n\"\",20,north\n")] // no header: SageMaker batch transform
    public async Task EmptyCellsAndNaN_InCsv_ScoreAsNaNDoesInProcess(string csv)
    {
        var (status, text) = await server.PostAsync("/invocations", csv, "text/csv");

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {text}");
        var scores = Scores(JsonNode.Parse(text)!);
        Assert.Equal(3, scores.Count);
        Assert.All(scores, score => Assert.Equal(server.Expected(float.NaN, 20, "north"), score, 5));
    }

    [Theory]
    [InlineData("/invocations", """{"dataframe_split": {"columns": ["Depth", "Stations", "Region"], "data": [[1, 20, "north"], [3, null, "north"]]}}""", "row 1")]
    [InlineData("/invocations", """{"dataframe_records": [{"Depth": 1, "Stations": "NaN", "Region": "north"}]}""", "row 0")]
    [InlineData("/score", """{"input_data": [[1, null, "north"]]}""", "row 0")]
    [InlineData("/v1/models/quakes:predict", """{"instances": [{"Depth": 1, "Stations": null, "Region": "north"}]}""", "row 0")]
    public async Task AMissingInteger_Is400NamingTheColumn(string path, string body, string row)
    {
        var (status, text) = await server.PostAsync(path, body);

        Assert.True(status == HttpStatusCode.BadRequest, $"{path}: {(int)status} {text}");
        var message = JsonNode.Parse(text)!["message"]!.GetValue<string>();
        Assert.Contains("Column 'Stations' is int64 and cannot be missing", message);
        Assert.Contains(row, message);
    }

    [Fact]
    public async Task AnEmptyIntegerCell_InCsv_Is400NamingTheColumn()
    {
        var (status, text) = await server.PostAsync("/invocations", "Depth,Stations,Region\n1,20,north\n2,,south\n", "text/csv");

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status} {text}");
        Assert.Contains("Column 'Stations' is int64 and cannot be missing (row 1)", JsonNode.Parse(text)!["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OipV2_NullAndNaN_InFp32Data_ScoreAsNaNDoesInProcess(bool columnar)
    {
        var body = """{"inputs": [{"name": "Depth", "shape": [2], "datatype": "FP32", "data": [null, "NaN"]}, {"name": "Stations", "shape": [2], "datatype": "INT64", "data": [20, 20]}, {"name": "Region", "shape": [2], "datatype": "BYTES", "data": ["north", "north"]}]}""";

        var (status, text) = await Infer(body, columnar);

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {text}");
        var score = JsonNode.Parse(text)!["outputs"]!.AsArray().First(o => o!["name"]!.GetValue<string>() == "Score")!["data"]!.AsArray();
        Assert.All(score, s => Assert.Equal(server.Expected(float.NaN, 20, "north"), s!.GetValue<float>(), 5));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OipV2_NullInInt64Data_Is400NamingTheColumn(bool columnar)
    {
        var body = """{"inputs": [{"name": "Depth", "shape": [2], "datatype": "FP32", "data": [1, 2]}, {"name": "Stations", "shape": [2], "datatype": "INT64", "data": [20, null]}, {"name": "Region", "shape": [2], "datatype": "BYTES", "data": ["north", "north"]}]}""";

        var (status, text) = await Infer(body, columnar);

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status} {text}");
        Assert.Contains("Column 'Stations' is int64 and cannot be missing (row 1)", JsonNode.Parse(text)!["message"]!.GetValue<string>());
    }

    private async Task<(HttpStatusCode, string)> Infer(string json, bool columnar)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        using var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        if (columnar) content.Headers.Add(Protocols.BinaryTensorData.HeaderLength, bytes.Length.ToString());
        using var response = await server.Http.PostAsync("/v2/models/quakes/infer", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The Score of each prediction, whatever shape the route answers in.</summary>
    private static List<float> Scores(JsonNode body)
    {
        var predictions = body is JsonArray array ? array : body["predictions"]!.AsArray();
        return predictions.Select(p => p is JsonObject o ? o["Score"]!.GetValue<float>() : p!.GetValue<float>()).ToList();
    }
}
