using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Serving.Protocols;

namespace Cairn.Serving.Tests.OipStrictness;

/// <summary>Each output's shape is the one its metadata declares, the batch dimension filled in: a [-1, 1] output of two rows is [2, 1].</summary>
public sealed class OutputShapeTests(DotModelServer server) : IClassFixture<DotModelServer>
{
    [Fact]
    public async Task Metadata_DeclaresTheModelsShapes()
    {
        var metadata = JsonNode.Parse(await server.Http.GetStringAsync("/v2/models/dot"))!;
        Assert.Equal("[-1,4]", metadata["inputs"]![0]!["shape"]!.ToJsonString());
        var outputs = metadata["outputs"]!.AsArray().ToDictionary(o => o!["name"]!.GetValue<string>(), o => o!["shape"]!.ToJsonString());
        Assert.Equal("[-1,1]", outputs["Y"]);
        Assert.Equal("[-1,4]", outputs["Twice"]);
    }

    [Theory]
    [InlineData(false, 3)]
    [InlineData(true, 3)]
    [InlineData(false, 300)]
    public async Task EveryOutput_AnswersTheDatatypeAndShapeItsMetadataDeclares(bool columnar, int rows)
    {
        var metadata = JsonNode.Parse(await server.Http.GetStringAsync("/v2/models/dot"))!["outputs"]!.AsArray();
        var (status, body) = await server.InferAsync(DotModelServer.Request(rows), columnar);

        Assert.Equal(HttpStatusCode.OK, status);
        var answered = JsonNode.Parse(body)!["outputs"]!.AsArray().ToDictionary(o => o!["name"]!.GetValue<string>());
        Assert.Equal(["Y", "Twice", "Key"], metadata.Select(o => o!["name"]!.GetValue<string>()));
        foreach (var declared in metadata)
        {
            var output = answered[declared!["name"]!.GetValue<string>()]!;
            Assert.Equal(declared["datatype"]!.GetValue<string>(), output["datatype"]!.GetValue<string>());
            var shape = declared["shape"]!.AsArray().Select(d => d!.GetValue<long>() < 0 ? rows : d.GetValue<long>());
            Assert.Equal(shape, output["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        }
        Assert.Equal("UINT32", answered["Key"]!["datatype"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false, 2)]
    [InlineData(true, 2)]
    [InlineData(false, 300)] // past the columnar path's row count: scored as columns
    public async Task JsonOutputs_HaveTheDeclaredShape_WithTheBatchFilledIn(bool columnar, int rows)
    {
        var (status, body) = await server.InferAsync(DotModelServer.Request(rows), columnar);

        Assert.Equal(HttpStatusCode.OK, status);
        var outputs = JsonNode.Parse(body)!["outputs"]!.AsArray().ToDictionary(o => o!["name"]!.GetValue<string>());
        Assert.Equal($"[{rows},1]", outputs["Y"]!["shape"]!.ToJsonString());
        Assert.Equal($"[{rows},4]", outputs["Twice"]!["shape"]!.ToJsonString());
        // Row 1 is 1, 2, 3, 4: Y = 1 + 4 + 9 + 16.
        Assert.Equal(30f, outputs["Y"]!["data"]!.AsArray().Select(v => v!.GetValue<float>()).ElementAt(1));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(300)]
    public async Task BinaryOutputs_HaveTheDeclaredShape(int rows)
    {
        var request = Encoding.UTF8.GetBytes(DotModelServer.Request(rows, extra: """, "parameters": {"binary_data_output": true}"""));
        using var content = new ByteArrayContent(request);
        content.Headers.ContentType = new("application/json");
        using var response = await server.Http.PostAsync("/v2/models/dot/infer", content);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var jsonLength = int.Parse(response.Headers.GetValues(BinaryTensorData.HeaderLength).Single());
        var outputs = JsonNode.Parse(bytes.AsSpan(0, jsonLength))!["outputs"]!.AsArray().ToDictionary(o => o!["name"]!.GetValue<string>());
        Assert.Equal($"[{rows},1]", outputs["Y"]!["shape"]!.ToJsonString());
        Assert.Equal(rows * 4, outputs["Y"]!["parameters"]!["binary_data_size"]!.GetValue<int>());
        Assert.Equal($"[{rows},4]", outputs["Twice"]!["shape"]!.ToJsonString());
    }
}
