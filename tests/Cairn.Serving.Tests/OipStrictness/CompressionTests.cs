using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Serving.Protocols;

namespace Cairn.Serving.Tests.OipStrictness;

/// <summary>
/// Compressed requests as Triton's client sends them (<c>request_compression_algorithm='gzip'</c> or
/// <c>'deflate'</c>, the latter zlib-framed): read as the uncompressed body, whose
/// <c>Inference-Header-Content-Length</c> counts the uncompressed JSON; bounded after decompression.
/// </summary>
public sealed class CompressionTests(DotModelServer server) : IClassFixture<DotModelServer>
{
    private static byte[] Compress(byte[] body, string encoding)
    {
        using var buffer = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new ZLibStream(buffer, CompressionLevel.Fastest, leaveOpen: true),
            _ => new DeflateStream(buffer, CompressionLevel.Fastest, leaveOpen: true), // raw deflate, as some clients send for "deflate"
        })
            compressor.Write(body);
        return buffer.ToArray();
    }

    private async Task<(HttpStatusCode Status, byte[] Body, HttpResponseMessage Response)> Post(byte[] body, string encoding, int? jsonLength = null, string contentType = "application/json")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new(contentType);
        content.Headers.TryAddWithoutValidation("Content-Encoding", encoding);
        if (jsonLength is { } length) content.Headers.Add(BinaryTensorData.HeaderLength, length.ToString());
        var response = await server.Http.PostAsync("/v2/models/dot/infer", content);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(), response);
    }

    [Theory]
    [InlineData("gzip", 2)]
    [InlineData("deflate", 2)]
    [InlineData("raw-deflate", 2)]
    [InlineData("gzip", 300)]
    [InlineData("deflate", 300)]
    public async Task ACompressedJsonRequest_IsAnsweredAsTheUncompressedOne(string encoding, int rows)
    {
        var json = Encoding.UTF8.GetBytes(DotModelServer.Request(rows));
        var (status, body, _) = await Post(Compress(json, encoding), encoding == "raw-deflate" ? "deflate" : encoding);

        Assert.True(status == HttpStatusCode.OK, Encoding.UTF8.GetString(body));
        var y = JsonNode.Parse(body)!["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "Y")!;
        Assert.Equal($"[{rows},1]", y["shape"]!.ToJsonString());
        Assert.Equal(30f, y["data"]![1]!.GetValue<float>());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task ACompressedBinaryRequest_ItsHeaderLengthCountingTheUncompressedJson(string encoding)
    {
        var x = new[] { 0f, 1, 2, 3, 1, 2, 3, 4 }.SelectMany(BitConverter.GetBytes).ToArray();
        var json = Encoding.UTF8.GetBytes($$$"""{"inputs": [{"name": "X", "shape": [2, 4], "datatype": "FP32", "parameters": {"binary_data_size": {{{x.Length}}}}}]}""");

        var (status, body, _) = await Post(Compress([.. json, .. x], encoding), encoding, json.Length, "application/octet-stream");

        Assert.True(status == HttpStatusCode.OK, Encoding.UTF8.GetString(body));
        var y = JsonNode.Parse(body)!["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "Y")!;
        Assert.Equal(30f, y["data"]![1]!.GetValue<float>());
    }

    [Fact]
    public async Task AZipBomb_Is413()
    {
        // 40 MB of spaces after a request compress to a few tens of KB; the server's limit is Kestrel's 30 MB.
        var json = Encoding.UTF8.GetBytes(DotModelServer.Request(1) + new string(' ', 40_000_000));
        var compressed = Compress(json, "gzip");
        Assert.True(compressed.Length < 1_000_000);

        var (status, body, _) = await Post(compressed, "gzip");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("decompresses to more than", DotModelServer.Message(Encoding.UTF8.GetString(body)));
    }

    [Theory]
    [InlineData("br")]
    [InlineData("compress")]
    [InlineData("gzip, br")]
    public async Task AnotherEncoding_Is415(string encoding)
    {
        var (status, body, _) = await Post(Encoding.UTF8.GetBytes(DotModelServer.Request(1)), encoding);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("Content-Encoding", DotModelServer.Message(Encoding.UTF8.GetString(body)));
    }

    [Fact]
    public async Task DataThatIsNotGzip_Is400()
    {
        var (status, body, _) = await Post(Encoding.UTF8.GetBytes(DotModelServer.Request(1)), "gzip");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not valid gzip data", DotModelServer.Message(Encoding.UTF8.GetString(body)));
    }

    [Fact]
    public async Task IdentityEncoding_IsNoEncoding()
    {
        var (status, body, _) = await Post(Encoding.UTF8.GetBytes(DotModelServer.Request(1)), "identity");
        Assert.True(status == HttpStatusCode.OK, Encoding.UTF8.GetString(body));
    }
}
