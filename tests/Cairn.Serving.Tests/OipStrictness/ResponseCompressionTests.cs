using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Serving.Protocols;

namespace Cairn.Serving.Tests.OipStrictness;

/// <summary><c>Accept-Encoding: gzip</c> or <c>deflate</c> (Triton's client's <c>response_compression_algorithm</c>): the answer comes compressed, its headers counting the uncompressed body.</summary>
public sealed class ResponseCompressionTests(DotModelServer server) : IClassFixture<DotModelServer>
{
    private async Task<(HttpResponseMessage Response, byte[] Body)> Infer(string json, string acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/dot/infer") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        var response = await server.Http.SendAsync(request); // HttpClient's default handler does not decompress: the bytes are as sent
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var encoding = response.Content.Headers.ContentEncoding.SingleOrDefault();
        if (encoding is null) return (response, bytes);
        using var decompressor = encoding == "gzip" ? (Stream)new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress) : new ZLibStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        decompressor.CopyTo(plain);
        return (response, plain.ToArray());
    }

    [Theory]
    [InlineData("gzip", 2)]
    [InlineData("deflate", 2)]
    [InlineData("gzip", 300)]
    [InlineData("br;q=1, gzip;q=0.5", 300)]
    public async Task AnAcceptedEncoding_CompressesTheAnswer(string accept, int rows)
    {
        var (response, body) = await Infer(DotModelServer.Request(rows), accept);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(accept.StartsWith("deflate") ? "deflate" : "gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Equal($"[{rows},1]", JsonNode.Parse(body)!["outputs"]![0]!["shape"]!.ToJsonString());
    }

    [Fact]
    public async Task BinaryOutputs_Compressed_KeepTheUncompressedJsonLength()
    {
        var (response, body) = await Infer(DotModelServer.Request(2, extra: """, "parameters": {"binary_data_output": true}"""), "gzip");

        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        var jsonLength = int.Parse(response.Headers.GetValues(BinaryTensorData.HeaderLength).Single());
        var outputs = JsonNode.Parse(body.AsSpan(0, jsonLength))!["outputs"]!.AsArray();
        Assert.Equal(jsonLength + 2 * 4 + 2 * 16 + 2 * 4, body.Length); // Y, Twice, Key
        Assert.Equal(30f, BitConverter.ToSingle(body, jsonLength + 4));
        Assert.Equal(3, outputs.Count);
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("br")]
    [InlineData("gzip;q=0")]
    public async Task NoAcceptedEncoding_AnswersUncompressed(string accept)
    {
        var (response, _) = await Infer(DotModelServer.Request(2), accept);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
    }
}
