using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Models;
using Cairn.Serving.Protocols;
using Cairn.Testing;
using Google.Protobuf;
using Onnx;

namespace Cairn.Serving.Tests.OipStrictness;

/// <summary>
/// An ONNX model served over a socket, declared as Triton's examples are: input X FP32 [-1, 4];
/// outputs Y = X · [1, 2, 3, 4] FP32 [-1, 1], Twice = X + X FP32 [-1, 4] and Key = uint32(Y) UINT32 [-1, 1].
/// </summary>
public sealed class DotModelServer : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private StartedModelServer _server = null!;

    public HttpClient Http => _server.Http;

    public async Task InitializeAsync()
    {
        var model = new ModelProto { IrVersion = 8 };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 15 });
        var graph = new GraphProto { Name = "dot" };
        graph.Input.Add(Tensor("X", 4));
        var weights = new TensorProto { Name = "W", DataType = (int)TensorProto.Types.DataType.Float };
        weights.Dims.AddRange([4, 1]);
        weights.FloatData.AddRange([1f, 2f, 3f, 4f]);
        graph.Initializer.Add(weights);
        graph.Node.Add(Node("MatMul", "Y", "X", "W"));
        graph.Node.Add(Node("Add", "Twice", "X", "X"));
        var cast = Node("Cast", "Key", "Y");
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Uint32 });
        graph.Node.Add(cast);
        graph.Output.Add(Tensor("Y", 1));
        graph.Output.Add(Tensor("Twice", 4));
        graph.Output.Add(Tensor("Key", 1, TensorProto.Types.DataType.Uint32));
        model.Graph = graph;
        File.WriteAllBytes(_folder.File("dot.onnx"), model.ToByteArray());
        var host = new ModelHost(new ServedModel("dot", "1", new OnnxPredictor(_folder.File("dot.onnx")), new BatchingOptions()));
        _server = await StartedModelServer.StartAsync(new ModelServerOptions(host));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private static ValueInfoProto Tensor(string name, long width, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    private static NodeProto Node(string op, string output, params string[] inputs)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    /// <summary>
    /// Posts a JSON request. <paramref name="columnar"/> adds <c>Inference-Header-Content-Length</c>
    /// (the whole body), which sends even a small body down the columnar reader, so both readers are tested.
    /// </summary>
    public async Task<(HttpStatusCode Status, string Body)> InferAsync(string json, bool columnar, string? contentType = "application/json")
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        using var content = new ByteArrayContent(bytes);
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (columnar) content.Headers.Add(BinaryTensorData.HeaderLength, bytes.Length.ToString());
        using var response = await Http.PostAsync("/v2/models/dot/infer", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The <c>message</c> of an error body.</summary>
    public static string Message(string body) => JsonNode.Parse(body)!["message"]!.GetValue<string>();

    /// <summary>A request of <paramref name="rows"/> rows of X: row i is i, i+1, i+2, i+3.</summary>
    public static string Request(int rows, string datatype = "FP32", string? shape = null, string? extra = null) =>
        $$"""{"inputs": [{"name": "X", "shape": {{shape ?? $"[{rows}, 4]"}}, "datatype": "{{datatype}}", "data": [{{string.Join(", ", Enumerable.Range(0, rows).SelectMany(i => Enumerable.Range(i, 4)))}}]}]{{extra}}}""";
}
