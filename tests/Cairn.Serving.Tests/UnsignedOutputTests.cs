using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Models;
using Cairn.Serving.Protocols;
using Cairn.Testing;
using Google.Protobuf;
using Onnx;

namespace Cairn.Serving.Tests;

/// <summary>
/// An ONNX model whose outputs are unsigned integers (as ML.NET's predicted keys are): their OIP
/// datatypes are UINT32 and UINT64 and values past the signed range come back whole, as JSON and
/// as binary tensor data, on the small-request and the columnar path.
/// </summary>
public sealed class UnsignedOutputTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private StartedModelServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        // K = uint32(X), L = uint64(X) * 2.
        var model = new ModelProto { IrVersion = 8 };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 15 });
        var graph = new GraphProto { Name = "unsigned" };
        graph.Input.Add(Tensor("X", TensorProto.Types.DataType.Double));
        graph.Node.Add(Cast("X", "K", TensorProto.Types.DataType.Uint32));
        graph.Node.Add(Cast("X", "L1", TensorProto.Types.DataType.Uint64));
        var two = new TensorProto { Name = "Two", DataType = (int)TensorProto.Types.DataType.Uint64 };
        two.Uint64Data.Add(2);
        graph.Initializer.Add(two);
        var mul = new NodeProto { OpType = "Mul", Name = "L" };
        mul.Input.AddRange(["L1", "Two"]);
        mul.Output.Add("L");
        graph.Node.Add(mul);
        graph.Output.Add(Tensor("K", TensorProto.Types.DataType.Uint32));
        graph.Output.Add(Tensor("L", TensorProto.Types.DataType.Uint64));
        model.Graph = graph;
        File.WriteAllBytes(_folder.File("unsigned.onnx"), model.ToByteArray());
        var host = new ModelHost(new ServedModel("keys", "1", new OnnxPredictor(_folder.File("unsigned.onnx")), new BatchingOptions()));
        _server = await StartedModelServer.StartAsync(new ModelServerOptions(host));
        _http = _server.Http;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private static ValueInfoProto Tensor(string name, TensorProto.Types.DataType type)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    private static NodeProto Cast(string input, string output, TensorProto.Types.DataType to)
    {
        var node = new NodeProto { OpType = "Cast", Name = output };
        node.Input.Add(input);
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)to });
        return node;
    }

    /// <param name="rows">Rows of the request: the first is 4,000,000,000 (past int32), then 1, 2, 3 ...</param>
    private static string Request(int rows, bool binaryOutput) =>
        $$"""{"inputs": [{"name": "X", "shape": [{{rows}}, 1], "datatype": "FP64", "data": [4000000000{{string.Concat(Enumerable.Range(1, rows - 1).Select(i => $", {i}"))}}]}]{{(binaryOutput ? """, "parameters": {"binary_data_output": true}""" : "")}}}""";

    [Theory]
    [InlineData(3)]     // through the micro-batcher, row by row
    [InlineData(300)]   // the columnar path
    public async Task UnsignedOutputs_AsJson_KeepTheirTypeAndValue(int rows)
    {
        using var response = await _http.PostAsync("/v2/models/keys/infer", new StringContent(Request(rows, binaryOutput: false), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outputs = JsonNode.Parse(body)!["outputs"]!.AsArray().ToDictionary(o => o!["name"]!.GetValue<string>());
        Assert.Equal("UINT32", outputs["K"]!["datatype"]!.GetValue<string>());
        Assert.Equal("UINT64", outputs["L"]!["datatype"]!.GetValue<string>());
        Assert.Equal(4_000_000_000u, outputs["K"]!["data"]![0]!.GetValue<uint>());
        Assert.Equal(8_000_000_000ul, outputs["L"]!["data"]![0]!.GetValue<ulong>());
        Assert.Equal((ulong)(2 * (rows - 1)), outputs["L"]!["data"]![rows - 1]!.GetValue<ulong>());
    }

    [Fact]
    public async Task UnsignedOutputs_AsBinaryTensorData_AreLittleEndianOfTheirWidth()
    {
        using var response = await _http.PostAsync("/v2/models/keys/infer", new StringContent(Request(300, binaryOutput: true), Encoding.UTF8, "application/json"));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var jsonLength = int.Parse(response.Headers.GetValues(BinaryTensorData.HeaderLength).Single());
        var outputs = JsonNode.Parse(bytes.AsSpan(0, jsonLength))!["outputs"]!.AsArray();
        Assert.Equal(["K", "L"], outputs.Select(o => o!["name"]!.GetValue<string>()));
        Assert.Equal([300L * 4, 300L * 8], outputs.Select(o => o!["parameters"]!["binary_data_size"]!.GetValue<long>()));
        var k = BitConverter.ToUInt32(bytes, jsonLength);
        var l = BitConverter.ToUInt64(bytes, jsonLength + 300 * 4);
        Assert.Equal(4_000_000_000u, k);
        Assert.Equal(8_000_000_000ul, l);
    }
}
