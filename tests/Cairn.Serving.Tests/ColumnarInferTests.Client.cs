using Cairn.Models;

namespace Cairn.Serving.Tests;

/// <summary>
/// The SDK's <see cref="InferenceClient"/> against the server over a socket: typed columns in and
/// out, binary tensor data or JSON, the server's errors as CairnExceptions.
/// </summary>
public sealed partial class ColumnarInferTests
{
    private List<TensorColumn> PointColumns(int rows) =>
    [
        new("X", _points.Take(rows).Select(p => p.X).ToArray(), 1),
        new("Y", _points.Take(rows).Select(p => p.Y).ToArray(), 1),
        new("Color", _points.Take(rows).Select(p => p.Color).ToArray(), 1),
    ];

    /// <summary>Remembers whether the last answer came as binary tensor data.</summary>
    private sealed class BinaryAnswerSpy() : DelegatingHandler(new HttpClientHandler())
    {
        public bool LastWasBinary { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            LastWasBinary = response.Headers.Contains(Protocols.BinaryTensorData.HeaderLength);
            return response;
        }
    }

    [Theory]
    [InlineData(true, Rows)]
    [InlineData(false, Rows)]
    [InlineData(true, 3)]   // a small request: through the micro-batcher
    public async Task InferenceClient_TypedColumnsInAndOut_MatchTheModelInProcess(bool binary, int rows)
    {
        var spy = new BinaryAnswerSpy();
        using var http = new HttpClient(spy);
        using var client = new InferenceClient(_http.BaseAddress!, http);
        var expected = ((IColumnPredictor)_model).PredictColumns(PointColumns(rows), rows).ToDictionary(c => c.Name, c => c.Values);

        var result = await client.InferAsync("points", PointColumns(rows), rows, new InferOptions(Binary: binary, Id: "client-1"));

        Assert.Equal(binary, spy.LastWasBinary);
        Assert.Equal("points", result.ModelName);
        Assert.Equal("4", result.ModelVersion);
        Assert.Equal("client-1", result.Id);
        Assert.Equal((float[])expected["Probability"], (float[])result["Probability"].Values);
        Assert.Equal((bool[])expected["PredictedLabel"], (bool[])result["PredictedLabel"].Values);
        Assert.Equal(1, result["Score"].Width);
    }

    [Fact]
    public async Task InferenceClient_ChosenOutputs_ReadinessAndMetadata()
    {
        using var client = new InferenceClient(_http.BaseAddress!);

        var result = await client.InferAsync("points", PointColumns(10), 10, new InferOptions(Outputs: ["Probability"], Version: "4"));
        var metadata = await client.MetadataAsync("points");

        Assert.Equal(["Probability"], result.Outputs.Select(o => o.Name));
        Assert.True(await client.IsReadyAsync("points"));
        Assert.False(await client.IsReadyAsync("points", version: "9"));
        Assert.False(await client.IsReadyAsync("other"));
        Assert.Equal("points", metadata.GetProperty("name").GetString());
        Assert.Throws<KeyNotFoundException>(() => result["Score"]);
    }

    [Fact]
    public async Task InferenceClient_ServerErrors_AreCairnExceptionsWithTheServersMessage()
    {
        using var client = new InferenceClient(_http.BaseAddress!);
        var withoutY = PointColumns(5).Where(c => c.Name != "Y").ToList();

        var missing = await Assert.ThrowsAsync<CairnException>(() => client.InferAsync("points", withoutY, 5));
        var unknown = await Assert.ThrowsAsync<CairnException>(() => client.InferAsync("other", PointColumns(5), 5, new InferOptions(Binary: false)));
        var shortColumn = await Assert.ThrowsAsync<CairnException>(() => client.InferAsync("points", PointColumns(5), 6));

        Assert.Equal(ErrorCodes.InvalidParameterValue, missing.ErrorCode);
        Assert.Contains("Missing input 'Y'", missing.Message);
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, unknown.ErrorCode);
        Assert.Contains("not served here", unknown.Message);
        Assert.Contains("6 rows of 1 need 6", shortColumn.Message);
    }
}
