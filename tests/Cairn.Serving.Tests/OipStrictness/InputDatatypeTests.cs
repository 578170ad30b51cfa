using System.Net;
using System.Text;
using Cairn.Serving.Protocols;

namespace Cairn.Serving.Tests.OipStrictness;

/// <summary>An input sent as another datatype than the model declares is a 400 naming the input, the expected and the given datatype (as Triton answers), on every reader.</summary>
public sealed class InputDatatypeTests(DotModelServer server) : IClassFixture<DotModelServer>
{
    [Theory]
    [InlineData("INT32", false)]
    [InlineData("INT64", false)]
    [InlineData("FP64", false)]
    [InlineData("FP16", false)]
    [InlineData("UINT8", false)]
    [InlineData("INT32", true)]
    [InlineData("INT64", true)]
    [InlineData("FP64", true)]
    [InlineData("FP16", true)]
    [InlineData("UINT8", true)]
    public async Task ANumericDatatypeOtherThanDeclared_Is400(string datatype, bool columnar)
    {
        var (status, body) = await server.InferAsync(DotModelServer.Request(2, datatype), columnar);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith($"Input 'X' has datatype {datatype}, but the model expects FP32", DotModelServer.Message(body));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BoolOrBytes_ForAnFp32Input_Is400(bool columnar)
    {
        var request = """{"inputs": [{"name": "X", "shape": [1, 4], "datatype": "BOOL", "data": [true, false, true, false]}]}""";
        var (status, body) = await server.InferAsync(request, columnar);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("Input 'X' has datatype BOOL, but the model expects FP32", DotModelServer.Message(body));

        (status, body) = await server.InferAsync(request.Replace("BOOL", "BYTES").Replace("true", "\"1\"").Replace("false", "\"0\""), columnar);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("Input 'X' has datatype BYTES, but the model expects FP32", DotModelServer.Message(body));
    }

    [Fact]
    public async Task BinaryData_OfAnotherDatatype_Is400()
    {
        var x = new[] { 1.0, 2, 3, 4 }.SelectMany(BitConverter.GetBytes).ToArray();
        var json = Encoding.UTF8.GetBytes($$$"""{"inputs": [{"name": "X", "shape": [1, 4], "datatype": "FP64", "parameters": {"binary_data_size": {{{x.Length}}}}}]}""");
        using var content = new ByteArrayContent([.. json, .. x]);
        content.Headers.ContentType = new("application/octet-stream");
        content.Headers.Add(BinaryTensorData.HeaderLength, json.Length.ToString());

        using var response = await server.Http.PostAsync("/v2/models/dot/infer", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Input 'X' has datatype FP64, but the model expects FP32", DotModelServer.Message(await response.Content.ReadAsStringAsync()));
    }
}
