using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Serving.Tests.OipStrictness;

namespace Cairn.Serving.Tests.MissingValues;

/// <summary>
/// A missing input in a tensor reaches the model as NaN, and a NaN prediction is written as the
/// string "NaN" (JSON numbers cannot hold it), so every answer stays valid JSON.
/// Model: Y = X · [1, 2, 3, 4], so one NaN in X makes Y NaN.
/// </summary>
public sealed class NaNOutputTests(DotModelServer server) : IClassFixture<DotModelServer>
{
    [Theory]
    [InlineData(false, "null")]
    [InlineData(true, "null")]
    [InlineData(false, "\"NaN\"")]
    [InlineData(true, "\"NaN\"")]
    public async Task OipV2_AMissingFp32Value_AnswersYAsTheStringNaN(bool columnar, string missing)
    {
        var (status, body) = await server.InferAsync($$"""{"inputs": [{"name": "X", "shape": [2, 4], "datatype": "FP32", "data": [1, 2, {{missing}}, 4, 1, 1, 1, 1]}], "outputs": [{"name": "Y"}]}""", columnar);

        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Contains("""{"name":"Y","shape":[2,1],"datatype":"FP32","data":["NaN",10]}""", body);
    }

    [Theory]
    [InlineData("""{"inputs": {"X": [[1, 2, null, 4], [1, 1, 1, 1]]}}""")]
    [InlineData("""{"instances": [[1, 2, "NaN", 4], [1, 1, 1, 1]]}""")]
    public async Task Invocations_ANaNPrediction_IsTheStringNaN_InValidJson(string request)
    {
        using var response = await server.Http.PostAsync("/invocations", new StringContent(request, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var y = JsonNode.Parse(body)!["predictions"]!["Y"]!.AsArray();
        Assert.Equal("NaN", Scalar(y[0]!).GetValue<string>());
        Assert.Equal(10f, Scalar(y[1]!).GetValue<float>());
    }

    /// <summary>A row's value, whether written as a scalar or as a one-element list.</summary>
    private static JsonNode Scalar(JsonNode node) => node is JsonArray array ? Scalar(array[0]!) : node;
}
